import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A consumer-group member as Java applications write it: group.id, subscribe(), poll, commitSync.
 * The classic group protocol (the 4.x default, group.protocol=classic), auto.offset.reset=earliest,
 * no auto-commit: it commits what it read once, before closing.
 *
 * <p>Usage: GroupConsumer BOOTSTRAP GROUP TOPIC COUNT [TIMEOUT_MS]
 *
 * <p>Prints {"assigned":[partitions]} on each assignment, one JSON line per record
 * {"partition","offset","key","value"}, then {"committed":n}. Stops after COUNT records or
 * TIMEOUT_MS (COUNT 0: poll until the timeout, to show nothing old arrives). Exits 3 if fewer than
 * COUNT records arrived in time.
 */
public final class GroupConsumer {
  public static void main(String[] args) {
    if (args.length < 4) {
      System.err.println("usage: GroupConsumer BOOTSTRAP GROUP TOPIC COUNT [TIMEOUT_MS]");
      System.exit(2);
    }
    String topic = args[2];
    int count = Integer.parseInt(args[3]);
    long timeoutMs = args.length > 4 ? Long.parseLong(args[4]) : 30_000;

    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "java-group-consumer");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    ClientProps.addFromEnv(props); // SASL/TLS settings, when the test gives them

    long deadline = System.currentTimeMillis() + timeoutMs;
    int seen = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(
          List.of(topic),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
              StringBuilder b = new StringBuilder("{\"assigned\":[");
              partitions.stream()
                  .map(TopicPartition::partition)
                  .sorted()
                  .forEach(p -> b.append(b.charAt(b.length() - 1) == '[' ? "" : ",").append(p));
              System.out.println(b.append("]}"));
            }
          });
      while ((count == 0 || seen < count) && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          System.out.println(
              "{\"partition\":" + r.partition() + ",\"offset\":" + r.offset() + ",\"key\":" + Json.str(r.key())
                  + ",\"value\":" + Json.str(r.value()) + "}");
          seen++;
        }
      }
      consumer.commitSync();
      System.out.println("{\"committed\":" + seen + "}");
    }
    System.out.flush();
    if (seen < count) {
      System.err.println("GroupConsumer: got " + seen + " of " + count + " records within " + timeoutMs + " ms");
      System.exit(3);
    }
  }
}
