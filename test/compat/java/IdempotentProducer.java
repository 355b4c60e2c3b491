import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Java producer as most applications run it: idempotent (the default since Kafka 3.0), acks=all.
 *
 * <p>Usage: IdempotentProducer BOOTSTRAP TOPIC COUNT [PREFIX]
 *
 * <p>Record i has key "PREFIX-key-(i % 7)", value "PREFIX-value-i" and headers seq=i, client=java.
 * Prints one JSON line per acknowledged record: {"i","key","partition","offset"}.
 */
public final class IdempotentProducer {
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: IdempotentProducer BOOTSTRAP TOPIC COUNT [PREFIX]");
      System.exit(2);
    }
    String topic = args[1];
    int count = Integer.parseInt(args[2]);
    String prefix = args.length > 3 ? args[3] : "java";

    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    ClientProps.addFromEnv(props); // SASL/TLS settings, when the test gives them

    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      List<Future<RecordMetadata>> acks = new ArrayList<>(count);
      List<String> keys = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String key = prefix + "-key-" + (i % 7);
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, prefix + "-value-" + i);
        record.headers().add("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        record.headers().add("client", "java".getBytes(StandardCharsets.UTF_8));
        acks.add(producer.send(record));
        keys.add(key);
      }
      producer.flush();
      for (int i = 0; i < count; i++) {
        RecordMetadata m = acks.get(i).get(); // throws if the broker refused the record
        System.out.println("{\"i\":" + i + ",\"key\":" + Json.str(keys.get(i)) + ",\"partition\":"
            + m.partition() + ",\"offset\":" + m.offset() + "}");
      }
    }
  }
}
