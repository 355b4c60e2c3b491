import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A consumer without a group: assign() every partition of a topic (or the listed ones), seek to the
 * beginning and read until COUNT records arrived or TIMEOUT_MS passed. No group.id, no commits.
 *
 * <p>Usage: AssignConsumer BOOTSTRAP TOPIC COUNT [TIMEOUT_MS] [PARTITION,...]
 *
 * <p>Prints one JSON line per record: {"partition","offset","timestamp","key","value","headers":[[k,v],...]}.
 * Exits 3 if fewer than COUNT records arrived in time.
 */
public final class AssignConsumer {
  public static void main(String[] args) {
    if (args.length < 3) {
      System.err.println("usage: AssignConsumer BOOTSTRAP TOPIC COUNT [TIMEOUT_MS] [PARTITION,...]");
      System.exit(2);
    }
    String topic = args[1];
    int count = Integer.parseInt(args[2]);
    long timeoutMs = args.length > 3 ? Long.parseLong(args[3]) : 30_000;

    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    ClientProps.addFromEnv(props); // SASL/TLS settings, when the test gives them

    long deadline = System.currentTimeMillis() + timeoutMs;
    int seen = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      if (args.length > 4) {
        for (String p : args[4].split(",")) partitions.add(new TopicPartition(topic, Integer.parseInt(p)));
      } else {
        // A topic that does not exist (yet) has no partitions: ask again until the deadline.
        while (partitions.isEmpty() && System.currentTimeMillis() < deadline) {
          for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofMillis(timeoutMs))) {
            partitions.add(new TopicPartition(topic, p.partition()));
          }
          if (partitions.isEmpty()) sleep(200);
        }
        if (partitions.isEmpty()) {
          System.err.println("AssignConsumer: topic " + topic + " has no partitions (does it exist?)");
          System.exit(3);
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (seen < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          System.out.println(toJson(r));
          seen++;
        }
      }
    }
    System.out.flush();
    if (seen < count) {
      System.err.println("AssignConsumer: got " + seen + " of " + count + " records within " + timeoutMs + " ms");
      System.exit(3);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String toJson(ConsumerRecord<byte[], byte[]> r) {
    StringBuilder headers = new StringBuilder("[");
    for (Header h : r.headers()) {
      if (headers.length() > 1) headers.append(',');
      headers.append('[').append(Json.str(h.key())).append(',').append(Json.str(h.value())).append(']');
    }
    headers.append(']');
    return "{\"partition\":" + r.partition() + ",\"offset\":" + r.offset() + ",\"timestamp\":" + r.timestamp()
        + ",\"key\":" + Json.str(r.key()) + ",\"value\":" + Json.str(r.value()) + ",\"headers\":" + headers + "}";
  }
}
