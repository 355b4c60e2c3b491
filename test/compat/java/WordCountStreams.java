import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.serialization.*;
import org.apache.kafka.streams.*;
import org.apache.kafka.streams.kstream.*;
import org.apache.kafka.streams.state.*;

/**
 * Kafka Streams word count with a state store (at_least_once, or the processing guarantee in the
 * environment variable PROCESSING_GUARANTEE, e.g. exactly_once_v2: then the output is read with
 * isolation.level=read_committed, as an exactly-once pipeline's consumer would): reads lines from args[1], counts
 * words in the store "word-counts" (changelog topic: cleanup.policy=compact), writes counts to
 * args[2]; then reads args[2] until the latest count of every word reaches the totals it was given
 * (args[4..]: word=count) and prints "word=count" lines. Exit 0 when they match, 1 on timeout.
 *   WordCountStreams <bootstrap> <input> <output> <applicationId> word=count...
 */
public class WordCountStreams {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], input = args[1], output = args[2], appId = args[3], stateDir = args[4];
    Map<String, Long> expected = new TreeMap<>();
    for (int i = 5; i < args.length; i++) {
      String[] kv = args[i].split("=");
      expected.put(kv[0], Long.parseLong(kv[1]));
    }
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    String guarantee = Optional.ofNullable(System.getenv("PROCESSING_GUARANTEE")).orElse(StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

    StreamsBuilder b = new StreamsBuilder();
    b.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
        .flatMapValues(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split("\\W+")))
        .filter((k, w) -> !w.isEmpty())
        .groupBy((k, w) -> w, Grouped.with(Serdes.String(), Serdes.String()))
        .count(Materialized.<String, Long, KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("word-counts"))
        .toStream()
        .to(output, Produced.with(Serdes.String(), Serdes.Long()));
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
    if (!guarantee.equals(StreamsConfig.AT_LEAST_ONCE)) c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, Long> latest = new TreeMap<>();
    long deadline = System.currentTimeMillis() + 90_000;
    try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new LongDeserializer())) {
      consumer.subscribe(List.of(output));
      while (!latest.equals(expected) && System.currentTimeMillis() < deadline
          && streams.state() != KafkaStreams.State.ERROR && streams.state() != KafkaStreams.State.NOT_RUNNING) {
        for (ConsumerRecord<String, Long> r : consumer.poll(Duration.ofMillis(200))) latest.put(r.key(), r.value());
      }
    }
    streams.close(Duration.ofSeconds(10));
    for (Map.Entry<String, Long> e : latest.entrySet()) System.out.println(e.getKey() + "=" + e.getValue());
    System.exit(latest.equals(expected) ? 0 : 1);
  }
}
