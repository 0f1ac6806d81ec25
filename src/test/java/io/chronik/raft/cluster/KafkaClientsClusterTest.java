package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.chronik.raft.kafka.KafkaListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Java Kafka client against a three-node cluster, each node with a Kafka listener in its own
 * rack: an idempotent producer (acks=all) keeps producing while the partition's leader node is
 * stopped, and every acknowledged record is there exactly once at dense offsets; a consumer with
 * {@code client.rack} fetches from the follower in its rack, and sees each record right after its
 * produce was acknowledged; a consumer group's committed offset is read back on another node; and
 * a producer without idempotence loses nothing acknowledged across a second leader change.
 */
@Tag("cluster")
class KafkaClientsClusterTest {
  private static final String TOPIC = "events";
  private static final int RECORDS = 300;

  @Test
  void idempotentProducerAcrossALeaderChangeAndLinearizableFollowerFetch() throws Exception {
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3"),
        "[{ name = " + TOPIC + ", partitions = 1, replication-factor = 3, state-machine = kafka }]", "")) {
      int[] ports = new int[3];
      for (int i = 0; i < 3; i++) ports[i] = bind(c, i);
      awaitBrokers(c, 0, 3);
      String group = TOPIC + "-0";
      int leaderIndex = awaitPreferredLeader(c, group);
      int bootstrap = (leaderIndex + 2) % 3; // stays up throughout

      List<String> acknowledged = new ArrayList<>();
      Map<String, Long> offsets = new HashMap<>();
      try (KafkaProducer<String, String> producer = producer(ports[bootstrap])) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
          if (i == RECORDS / 3) {
            for (Future<RecordMetadata> f : sent) f.get(60, TimeUnit.SECONDS);
            c.stop(leaderIndex); // the partition's leader and its listener go away mid-stream
          }
          sent.add(producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i)));
        }
        for (int i = 0; i < RECORDS; i++) {
          RecordMetadata m = sent.get(i).get(60, TimeUnit.SECONDS);
          acknowledged.add("v" + i);
          offsets.put("v" + i, m.offset());
        }
      }
      for (int i = 0; i < RECORDS; i++) {
        assertEquals(i, offsets.get("v" + i), "idempotent, in order: v" + i + " at offset " + i);
      }
      c.start(leaderIndex);
      ports[leaderIndex] = bind(c, leaderIndex);
      c.awaitAllUp();
      awaitBrokers(c, bootstrap, 3);
      int follower = reader(c, bootstrap, group);

      try (KafkaConsumer<String, String> consumer = consumer(ports[bootstrap], "rack-" + c.ids.get(follower));
          KafkaProducer<String, String> producer = producer(ports[bootstrap])) {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        List<String> values = new ArrayList<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (values.size() < RECORDS && System.nanoTime() < until) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            assertEquals(values.size(), r.offset(), "dense offsets");
            values.add(r.value());
          }
        }
        assertEquals(acknowledged, values, "every acknowledged record once, in order");
        assertEquals(brokerId(c.ids.get(follower)), preferredReadReplica(consumer),
            "the consumer was sent to the replica in its rack");

        double servedByFollower = fetched(c, follower, "here");
        assertTrue(servedByFollower > 0, "the follower served the consumer's fetches");
        // Read-after-acknowledge from the follower: each fetch is a ReadIndex read there.
        for (int i = 0; i < 20; i++) {
          long offset = producer.send(new ProducerRecord<>(TOPIC, 0, "late", "late" + i)).get(30, TimeUnit.SECONDS)
              .offset();
          String got = null;
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          while (got == null && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
              if (r.offset() == offset) got = r.value();
            }
          }
          assertEquals("late" + i, got, "record at " + offset + " fetched after its acknowledgement");
        }
        assertEquals(brokerId(c.ids.get(follower)), preferredReadReplica(consumer));
        assertTrue(fetched(c, follower, "here") > servedByFollower, "the late records came from the follower");
      }

      // A consumer group's committed offset (assign(), no group membership), read back through another node.
      TopicPartition tp = new TopicPartition(TOPIC, 0);
      try (KafkaConsumer<String, String> committer = consumer(ports[bootstrap], "", "auditors")) {
        committer.assign(List.of(tp));
        committer.commitSync(Map.of(tp, new OffsetAndMetadata(RECORDS / 2, "half way")));
      }
      try (KafkaConsumer<String, String> resumed = consumer(ports[follower], "", "auditors")) {
        resumed.assign(List.of(tp));
        OffsetAndMetadata committed = resumed.committed(java.util.Set.of(tp)).get(tp);
        assertEquals(RECORDS / 2, committed.offset());
        assertEquals("half way", committed.metadata());
        ConsumerRecord<String, String> first = null;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (first == null && System.nanoTime() < until) {
          var records = resumed.poll(Duration.ofMillis(200));
          if (!records.isEmpty()) first = records.iterator().next();
        }
        assertEquals(RECORDS / 2, first == null ? -1 : first.offset(), "a new consumer resumes at the committed offset");
      }

      // Idempotence off (acks=all, one request in flight): across another leader change nothing
      // acknowledged is lost and the offsets stay dense. A resend may be appended twice, as in
      // Kafka: counted, not forbidden.
      int settled = awaitPreferredLeader(c, group);
      int survivor = (settled + 1) % 3;
      Map<String, Long> plain = new HashMap<>();
      long start;
      try (KafkaProducer<String, String> producer = producer(ports[survivor], false)) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
          if (i == 50) {
            for (Future<RecordMetadata> f : sent) f.get(60, TimeUnit.SECONDS);
            c.stop(settled);
          }
          sent.add(producer.send(new ProducerRecord<>(TOPIC, 0, null, "plain" + i)));
        }
        for (int i = 0; i < 150; i++) plain.put("plain" + i, sent.get(i).get(60, TimeUnit.SECONDS).offset());
        start = sent.get(0).get().offset();
      }
      try (KafkaConsumer<String, String> check = consumer(ports[survivor], "")) {
        TopicPartition tp0 = new TopicPartition(TOPIC, 0);
        check.assign(List.of(tp0));
        check.seek(tp0, start);
        long end = check.endOffsets(List.of(tp0)).get(tp0);
        Map<String, Integer> seen = new HashMap<>();
        long expect = start;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (expect < end && System.nanoTime() < until) {
          for (ConsumerRecord<String, String> r : check.poll(Duration.ofMillis(200))) {
            assertEquals(expect++, r.offset(), "dense offsets");
            seen.merge(r.value(), 1, Integer::sum);
          }
        }
        for (String v : plain.keySet()) assertTrue(seen.containsKey(v), "acknowledged " + v + " is in the log");
        long twice = seen.values().stream().filter(n -> n > 1).count();
        System.out.printf("idempotence off across a leader change: %d acknowledged, %d appended twice%n", plain.size(),
            twice);
      }
    }
  }

  /** Waits until {@code group} is led by its preferred leader (where leader balancing keeps it); its index. */
  static int awaitPreferredLeader(TestCluster c, String group) {
    TestProbe<Object> probe = c.kit(0).createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      String current = io.chronik.raft.core.Configuration.nodeOf(c.awaitLeader(0, group).leader().orElseThrow());
      String preferred = c.chronik(0).node().preferredLeader(group, java.util.Optional.empty()).orElse(current);
      assertEquals(preferred, current, "the leader of " + group + " is its preferred leader");
      return c.indexOf(current);
    });
  }

  /**
   * A node to read from as a follower: one that neither leads {@code group} now nor is its
   * preferred leader, to which leader balancing hands leadership back (a restarted node, say).
   */
  static int reader(TestCluster c, int via, String group) {
    String current = io.chronik.raft.core.Configuration.nodeOf(c.awaitLeader(via, group).leader().orElseThrow());
    String preferred = c.chronik(via).node().preferredLeader(group, java.util.Optional.empty()).orElse(current);
    return c.ids.indexOf(c.ids.stream().filter(id -> !id.equals(current) && !id.equals(preferred)).findFirst()
        .orElseThrow());
  }

  /** Partitions of Kafka fetches node {@code i} read on its own replica ({@code here}) or redirected. */
  static double fetched(TestCluster c, int i, String served) {
    io.micrometer.core.instrument.Counter counter = io.chronik.raft.metrics.NodeMetrics.get(c.kit(i).system()).registry()
        .find("chronik.kafka.fetch.partitions").tag("served", served).counter();
    return counter == null ? 0 : counter.count();
  }

  private static int brokerId(String nodeId) {
    return Integer.parseInt(nodeId.substring(1));
  }

  static int bind(TestCluster c, int i) throws Exception {
    return KafkaListener.bind(c.kit(i).system(), "127.0.0.1", 0).toCompletableFuture().get(30, TimeUnit.SECONDS)
        .localAddress().getPort();
  }

  /** Waits until node {@code via} knows {@code n} nodes' Kafka addresses (hellos every discovery interval). */
  static void awaitBrokers(TestCluster c, int via, int n) {
    TestProbe<Object> probe = c.kit(via).createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
      long known = c.ids.stream().filter(id -> c.chronik(via).node().kafkaAddress(id).isPresent()).count();
      assertEquals(n, known, "nodes whose Kafka address " + c.ids.get(via) + " knows");
      return null;
    });
  }

  static KafkaProducer<String, String> producer(int port) {
    return producer(port, true);
  }

  static KafkaProducer<String, String> producer(int port, boolean idempotent) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
    if (!idempotent) p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return new KafkaProducer<>(p);
  }

  static KafkaConsumer<String, String> consumer(int port, String rack) {
    return consumer(port, rack, null);
  }

  static KafkaConsumer<String, String> consumer(int port, String rack, String group) {
    Properties p = new Properties();
    if (group != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
    if (!rack.isEmpty()) p.put(ConsumerConfig.CLIENT_RACK_CONFIG, rack);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(p);
  }

  private static int preferredReadReplica(KafkaConsumer<?, ?> consumer) {
    for (Map.Entry<MetricName, ? extends Metric> m : consumer.metrics().entrySet()) {
      if (m.getKey().name().equals("preferred-read-replica") && TOPIC.equals(m.getKey().tags().get("topic"))) {
        Object v = m.getValue().metricValue();
        assertTrue(v instanceof String || v instanceof Number, "metric value " + v);
        return Integer.parseInt(String.valueOf(v));
      }
    }
    throw new AssertionError("no preferred-read-replica metric: the consumer was never redirected");
  }
}
