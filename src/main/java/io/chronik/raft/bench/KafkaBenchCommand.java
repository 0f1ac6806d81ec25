package io.chronik.raft.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The same Kafka-client load against any Kafka-protocol cluster — chronik's listeners or Apache
 * Kafka's brokers — so the two can be measured back to back: closed-loop producers (one shared
 * idempotent {@code KafkaProducer}, {@code acks=all}; each loop sends one record and waits for its
 * acknowledgement, as {@code bench}'s writers do), then one consumer reading the partition from
 * its start to the end offset it had when it began.
 */
@Command(name = "kafka-bench", mixinStandardHelpOptions = true,
    description = "Closed-loop Kafka-client produce load (acks=all) and a consumer read, against any Kafka-protocol "
        + "cluster (chronik's Kafka listeners or Apache Kafka).")
public final class KafkaBenchCommand implements Callable<Integer> {
  @Option(names = "--bootstrap", required = true, description = "bootstrap.servers of the cluster.")
  String bootstrap;

  @Option(names = "--label", defaultValue = "cluster", description = "Name printed in the rows (default: ${DEFAULT-VALUE}).")
  String label;

  @Option(names = "--topic", defaultValue = "kafka-bench", description = "Topic (created on first use by the "
      + "cluster's auto-creation; default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--producers", split = ",", defaultValue = "1,16,64",
      description = "Closed loops per cell (default: ${DEFAULT-VALUE}).")
  List<Integer> producers;

  @Option(names = "--record-bytes", defaultValue = "100", description = "Value size (default: ${DEFAULT-VALUE}).")
  int recordBytes;

  @Option(names = "--warmup", defaultValue = "3", description = "Seconds before each measured window (default: ${DEFAULT-VALUE}).")
  double warmup;

  @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per cell (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Override
  public Integer call() throws Exception {
    byte[] value = new byte[recordBytes];
    java.util.Arrays.fill(value, (byte) 'x');
    System.out.printf("%-8s %9s %12s %8s %8s %7s%n", "cluster", "producers", "writes/s", "p50 ms", "p99 ms", "errors");
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(new ProducerRecord<>(topic, 0, null, value)).get(60, TimeUnit.SECONDS); // creates the topic
      for (int n : producers) {
        ClosedLoop.Measured m = new ClosedLoop(n, warmup, seconds).run(i -> {
          CompletableFuture<Object> acked = new CompletableFuture<>();
          producer.send(new ProducerRecord<>(topic, 0, null, value), (meta, error) -> {
            if (error != null) acked.completeExceptionally(error);
            else acked.complete(meta);
          });
          return acked;
        }, () -> { }, () -> { });
        System.out.printf("%-8s %9d %,12.0f %8.2f %8.2f %7d%n", label, n, m.perSecond(), m.percentileMillis(50),
            m.percentileMillis(99), m.errors());
      }
    }
    consume();
    return 0;
  }

  private void consume() {
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      Map<TopicPartition, Long> end = consumer.endOffsets(List.of(tp));
      long target = end.get(tp);
      long read = 0;
      long start = System.nanoTime();
      long giveUp = start + TimeUnit.MINUTES.toNanos(5);
      while (consumer.position(tp) < target && System.nanoTime() < giveUp) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        read += records.count();
      }
      double s = (System.nanoTime() - start) / 1e9;
      System.out.printf("%-8s consumer: %,d records in %.1f s: %,.0f records/s, %.1f MB/s%n", label, read, s, read / s,
          read * (double) recordBytes / s / 1e6);
    }
  }

  private KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(p);
  }
}
