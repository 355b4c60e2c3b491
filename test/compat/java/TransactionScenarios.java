import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Transaction scenarios with the Java client (kafka-clients 4.x), each printing JSON lines so the
 * test compares what users see on both brokers.
 *
 * <p>Usage: TransactionScenarios SCENARIO BOOTSTRAP ARGS…
 *
 * <ul>
 *   <li>{@code abort BOOTSTRAP TOPIC TXID}: commits c1 c2, aborts a1 a2, commits c3; prints
 *       {"isolation":"read_committed","values":[…]} and the same for read_uncommitted.
 *   <li>{@code zombie BOOTSTRAP TOPIC TXID}: producer A sends "zombie" in a transaction, producer B
 *       initialises the same id (fencing A), A's commit fails: {"zombie":"exception class"}; B
 *       commits "successor"; prints the read_committed values.
 *   <li>{@code ctp BOOTSTRAP INPUT OUTPUT GROUP TXID COUNT}: consume-transform-produce: reads COUNT
 *       records of INPUT in a read_committed group, writes them upper-cased to OUTPUT and commits
 *       the input offsets with sendOffsetsToTransaction, one transaction per poll; prints
 *       {"transformed":N,"committedOffset":…}.
 *   <li>{@code open BOOTSTRAP TOPIC TXID TIMEOUT_MS}: begins a transaction, sends "partial" (flushed),
 *       prints {"open":true} and then waits to be killed.
 * </ul>
 */
public final class TransactionScenarios {
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "abort" -> abort(args[1], args[2], args[3]);
      case "zombie" -> zombie(args[1], args[2], args[3]);
      case "ctp" -> ctp(args[1], args[2], args[3], args[4], args[5], Integer.parseInt(args[6]));
      case "open" -> open(args[1], args[2], args[3], args[4]);
      default -> {
        System.err.println("unknown scenario " + args[0]);
        System.exit(2);
      }
    }
  }

  static KafkaProducer<String, String> producer(String bootstrap, String txid, String timeoutMs) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txid);
    props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, timeoutMs);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    ClientProps.addFromEnv(props);
    return new KafkaProducer<>(props);
  }

  static Properties consumerProps(String bootstrap, String isolation, String group) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    if (group != null) props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    ClientProps.addFromEnv(props);
    return props;
  }

  /** Every value of partition 0 up to its end offset for that isolation level (LSO for read_committed). */
  static List<String> readAll(String bootstrap, String topic, String isolation) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(bootstrap, isolation, null))) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      long deadline = System.currentTimeMillis() + 30_000;
      while (c.position(tp) < end && System.currentTimeMillis() < deadline)
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) values.add(r.value());
    }
    return values;
  }

  static String jsonList(List<String> values) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) b.append(i == 0 ? "" : ",").append(Json.str(values.get(i)));
    return b.append("]").toString();
  }

  static void abort(String bootstrap, String topic, String txid) {
    try (KafkaProducer<String, String> p = producer(bootstrap, txid, "60000")) {
      p.initTransactions();
      p.beginTransaction();
      p.send(new ProducerRecord<>(topic, 0, "k1", "c1"));
      p.send(new ProducerRecord<>(topic, 0, "k2", "c2"));
      p.commitTransaction();
      p.beginTransaction();
      p.send(new ProducerRecord<>(topic, 0, "k1", "a1"));
      p.send(new ProducerRecord<>(topic, 0, "k2", "a2"));
      p.flush();
      p.abortTransaction();
      p.beginTransaction();
      p.send(new ProducerRecord<>(topic, 0, "k3", "c3"));
      p.commitTransaction();
    }
    for (String isolation : List.of("read_committed", "read_uncommitted"))
      System.out.println("{\"isolation\":" + Json.str(isolation) + ",\"values\":"
          + jsonList(readAll(bootstrap, topic, isolation)) + "}");
  }

  static void zombie(String bootstrap, String topic, String txid) throws Exception {
    KafkaProducer<String, String> a = producer(bootstrap, txid, "60000");
    a.initTransactions();
    a.beginTransaction();
    a.send(new ProducerRecord<>(topic, 0, "z", "zombie")).get();
    String outcome = "committed";
    try (KafkaProducer<String, String> b = producer(bootstrap, txid, "60000")) {
      b.initTransactions(); // a new epoch: A is fenced and its open transaction aborted
      try {
        a.send(new ProducerRecord<>(topic, 0, "z", "zombie-2"));
        a.commitTransaction();
      } catch (RuntimeException e) {
        outcome = e.getClass().getName();
      }
      b.beginTransaction();
      b.send(new ProducerRecord<>(topic, 0, "s", "successor"));
      b.commitTransaction();
    }
    try {
      a.close(Duration.ofSeconds(5));
    } catch (RuntimeException ignored) {
      // a fenced producer may complain on close
    }
    System.out.println("{\"zombie\":" + Json.str(outcome) + "}");
    System.out.println("{\"isolation\":\"read_committed\",\"values\":"
        + jsonList(readAll(bootstrap, topic, "read_committed")) + "}");
  }

  static void ctp(String bootstrap, String input, String output, String group, String txid, int count) {
    int transformed = 0;
    try (KafkaProducer<String, String> p = producer(bootstrap, txid, "60000");
        KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(bootstrap, "read_committed", group))) {
      p.initTransactions();
      c.subscribe(List.of(input));
      long deadline = System.currentTimeMillis() + 60_000;
      while (transformed < count && System.currentTimeMillis() < deadline) {
        var records = c.poll(Duration.ofMillis(200));
        if (records.isEmpty()) continue;
        p.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
          p.send(new ProducerRecord<>(output, r.key(), r.value().toUpperCase()));
          offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
          transformed++;
        }
        p.sendOffsetsToTransaction(offsets, c.groupMetadata());
        p.commitTransaction();
      }
    }
    long committed;
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(bootstrap, "read_committed", group))) {
      TopicPartition tp = new TopicPartition(input, 0);
      OffsetAndMetadata om = c.committed(java.util.Set.of(tp)).get(tp);
      committed = om == null ? -1 : om.offset();
    }
    System.out.println("{\"transformed\":" + transformed + ",\"committedOffset\":" + committed + "}");
  }

  static void open(String bootstrap, String topic, String txid, String timeoutMs) throws Exception {
    KafkaProducer<String, String> p = producer(bootstrap, txid, timeoutMs);
    p.initTransactions();
    p.beginTransaction();
    List<Future<?>> sent = new ArrayList<>();
    sent.add(p.send(new ProducerRecord<>(topic, 0, "p", "partial-1")));
    sent.add(p.send(new ProducerRecord<>(topic, 0, "p", "partial-2")));
    for (Future<?> f : sent) f.get();
    System.out.println("{\"open\":true}");
    System.out.flush();
    Thread.sleep(600_000);
  }
}
