import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Java transactional producer: initTransactions, one transaction of COUNT records, commit.
 *
 * <p>Usage: TransactionalProducer BOOTSTRAP TOPIC TRANSACTIONAL_ID COUNT
 *
 * <p>Prints one JSON line: {"committed":COUNT,"ms":…} on success, or
 * {"error":"exception class","message":"…","ms":…} when the broker refuses (exit code 0 either way,
 * so the test sees the answer rather than a stack trace). "ms" is how long it took to get there.
 */
public final class TransactionalProducer {
  public static void main(String[] args) {
    if (args.length < 4) {
      System.err.println("usage: TransactionalProducer BOOTSTRAP TOPIC TRANSACTIONAL_ID COUNT");
      System.exit(2);
    }
    int count = Integer.parseInt(args[3]);
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, args[2]);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    long start = System.nanoTime();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      try {
        producer.initTransactions();
        producer.beginTransaction();
        for (int i = 0; i < count; i++) producer.send(new ProducerRecord<>(args[1], "k" + i, "v" + i));
        producer.commitTransaction();
        System.out.println("{\"committed\":" + count + ",\"ms\":" + elapsedMs(start) + "}");
      } catch (RuntimeException e) {
        System.out.println("{\"error\":" + Json.str(e.getClass().getName()) + ",\"message\":"
            + Json.str(String.valueOf(e.getMessage())) + ",\"ms\":" + elapsedMs(start) + "}");
      }
    }
  }

  private static long elapsedMs(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }
}
