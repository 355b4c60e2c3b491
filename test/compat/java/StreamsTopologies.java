import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.*;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.*;
import org.apache.kafka.streams.kstream.*;
import org.apache.kafka.streams.state.*;

/**
 * Kafka Streams topologies beyond the word count, for the compatibility suite:
 *
 *   windowed-count: order events (key = order id, value = "product,quantity") are re-keyed by
 *     product, which makes Streams write and read a repartition topic (and purge it with
 *     DeleteRecords), then counted per product in 1-minute tumbling windows, in the window store
 *     "orders-per-minute" (changelog topic: cleanup.policy=compact,delete). Output: key
 *     "product@windowStartMs", value the count (every update: the record cache is off).
 *   join: orders (key = customer id, value = "orderId,amount") left-joined with the customers table
 *     topic (key = customer id, value = name; store "customers", a compacted changelog). Output:
 *     key order id, value "customerName,amount" ("?" for a customer the table does not know). The
 *     table's version at each order's timestamp is the one joined (Streams processes both inputs in
 *     timestamp order), so a renamed customer shows the old name on earlier orders.
 *   stream-join: orders (key = order id, value = amount) joined with payments (key = order id,
 *     value = method) when their timestamps are at most 5 minutes apart (an inner KStream–KStream
 *     windowed join; both sides are kept in window stores "order-payment-this/other-join-store",
 *     changelogs cleanup.policy=delete, as they keep duplicates). Output: key order id, value "amount,method", one per matching
 *     pair, emitted when the later of the two is processed.
 *
 * It starts the topology, reads the output topic (read_committed) until the latest value of every
 * key equals the expected one given as key=value arguments, and prints every output record as
 * "out key=value" in order; for windowed-count it then waits until the repartition topic's low
 * watermark has moved (Streams purges records it has committed) and prints "purged N".
 * Exit 0 when the output matched, 1 on timeout or when Streams died.
 *
 *   StreamsTopologies windowed-count|join|stream-join <bootstrap> <at_least_once|exactly_once_v2>
 *     <applicationId> <stateDir> <input> [<table or other stream>] <output> key=value...
 */
public class StreamsTopologies {
  public static void main(String[] args) throws Exception {
    String topology = args[0], bootstrap = args[1], guarantee = args[2], appId = args[3], stateDir = args[4];
    int i = 5;
    String input = args[i++];
    String table = topology.equals("join") || topology.equals("stream-join") ? args[i++] : null;
    String output = args[i++];
    Map<String, String> expected = new TreeMap<>();
    for (; i < args.length; i++) {
      int eq = args[i].lastIndexOf('=');
      expected.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }

    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    p.put(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, 100);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // Streams does not leave its group on close, so a second instance (the restore case) waits for
    // the first one's session to expire: keep it at the brokers' minimum (6 s).
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1500);

    StreamsBuilder b = new StreamsBuilder();
    Serde<String> str = Serdes.String();
    String repartitionTopic = null;
    if (topology.equals("windowed-count")) {
      b.stream(input, Consumed.with(str, str))
          .groupBy((orderId, v) -> v.split(",")[0], Grouped.with("by-product", str, str))
          .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ofMinutes(10)))
          .count(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("orders-per-minute"))
          .toStream((w, n) -> w.key() + "@" + w.window().start())
          .mapValues(n -> Long.toString(n))
          .to(output, Produced.with(str, str));
      repartitionTopic = appId + "-by-product-repartition";
    } else if (topology.equals("join")) {
      KTable<String, String> customers = b.table(table, Consumed.with(str, str),
          Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("customers"));
      b.stream(input, Consumed.with(str, str))
          .leftJoin(customers, (order, name) -> {
            String[] f = order.split(",");
            return f[0] + "|" + (name == null ? "?" : name) + "," + f[1];
          }, Joined.with(str, str, str))
          .map((customerId, v) -> KeyValue.pair(v.substring(0, v.indexOf('|')), v.substring(v.indexOf('|') + 1)))
          .to(output, Produced.with(str, str));
    } else if (topology.equals("stream-join")) {
      KStream<String, String> payments = b.stream(table, Consumed.with(str, str));
      b.stream(input, Consumed.with(str, str))
          .join(payments, (amount, method) -> amount + "," + method,
              JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMinutes(5), Duration.ofMinutes(10)),
              StreamJoined.with(str, str, str).withStoreName("order-payment"))
          .to(output, Produced.with(str, str));
    } else {
      throw new IllegalArgumentException("unknown topology " + topology);
    }

    KafkaStreams streams = new KafkaStreams(b.build(), p);
    streams.setUncaughtExceptionHandler(e -> {
      e.printStackTrace();
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.start();

    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, appId + "-reader");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, String> latest = new TreeMap<>();
    List<String> seen = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 90_000;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(output));
      while (!latest.equals(expected) && System.currentTimeMillis() < deadline && alive(streams)) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          latest.put(r.key(), r.value());
          seen.add(r.key() + "=" + r.value());
        }
      }
    }
    for (String s : seen) System.out.println("out " + s);
    boolean ok = latest.equals(expected);
    if (ok && repartitionTopic != null) {
      long low = 0;
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        TopicPartition tp = new TopicPartition(repartitionTopic, 0);
        while (low == 0 && System.currentTimeMillis() < deadline && alive(streams)) {
          low = admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp).offset();
          if (low == 0) Thread.sleep(200);
        }
      }
      System.out.println("purged " + low);
      ok = low > 0;
    }
    streams.close(Duration.ofSeconds(10));
    System.exit(ok ? 0 : 1);
  }

  private static boolean alive(KafkaStreams s) {
    return s.state() != KafkaStreams.State.ERROR && s.state() != KafkaStreams.State.NOT_RUNNING
        && s.state() != KafkaStreams.State.PENDING_ERROR;
  }
}
