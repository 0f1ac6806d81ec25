package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.ChronikException;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.api.GrpcServer;
import io.chronik.raft.cluster.NodeAdminClusterTest.Run;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Topics at runtime, end to end: {@code chronik topic create|list|delete} against a node's gRPC
 * API, the metadata group holding them, every node starting and deleting their replicas. Every
 * acknowledged record is read back through every node; a node down during the delete deletes its
 * files when it comes back.
 */
@Tag("cluster")
class TopicAdminClusterTest {
  private static final String KV = "[{name = kv, partitions = 1, replication-factor = 3, state-machine = key-value}]";

  @Test
  void aTopicCreatedAtRuntimeTakesWritesThroughEveryNodeSurvivesARestartAndIsDeletedEverywhere() throws Exception {
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3"), KV)) {
      int port = FreePorts.one();
      GrpcServer.bind(c.kit(0).system(), "127.0.0.1", port).toCompletableFuture().get(30, TimeUnit.SECONDS);
      String target = "127.0.0.1:" + port;
      c.awaitLeader(0, TopicCatalog.GROUP);

      long created = System.nanoTime();
      Run create = NodeAdminClusterTest.run(target, "topic", "create", "orders", "--partitions", "3",
          "--replication-factor", "3");
      assertEquals(0, create.code(), create.toString());
      assertTrue(create.out().startsWith("created orders: 3 partition(s), replication factor 3, record-log"),
          create.toString());
      // The first write goes through another node than the one that created the topic.
      List<List<ByteString>> acked = new ArrayList<>();
      double firstProduceSeconds = 0;
      for (int p = 0; p < 3; p++) {
        ByteString first = ByteString.copyFromUtf8("p" + p + "-0");
        c.chronik(1).produce("orders", p, List.of(first)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        firstProduceSeconds = Math.max(firstProduceSeconds, (System.nanoTime() - created) / 1e9);
        acked.add(new ArrayList<>(List.of(first)));
      }
      System.out.printf("l2 topics create_to_first_produce_s=%.2f%n", firstProduceSeconds);
      assertTrue(firstProduceSeconds <= 5, "topic create -> first produce on every partition within 5 s: "
          + firstProduceSeconds);
      for (int i = 1; i <= 20; i++) {
        for (int p = 0; p < 3; p++) {
          ByteString r = ByteString.copyFromUtf8("p" + p + "-" + i);
          c.chronik(i % 3).produce("orders", p, List.of(r)).toCompletableFuture().get(20, TimeUnit.SECONDS);
          acked.get(p).add(r);
        }
      }
      assertEveryNodeReads(c, List.of(0, 1, 2), acked);
      String metrics = io.chronik.raft.api.MetricsEndpoint.get(c.kit(0).system()).scrape().toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
      assertTrue(metrics.contains("chronik_replica_applied_index{node=\"n1\",partition=\"orders-2\"}"),
          "a runtime topic's replicas have their meters: " + metrics.lines().filter(l -> l.contains("applied_index"))
              .toList());

      // Listing, and what is refused.
      Run list = NodeAdminClusterTest.run(target, "topic", "list", "-o", "json");
      assertEquals(0, list.code(), list.toString());
      assertTrue(list.out().contains("\"name\":\"orders\",\"partitions\":3,\"replicationFactor\":3,"
          + "\"kind\":\"record-log\",\"source\":\"runtime\""), list.toString());
      assertTrue(list.out().contains("\"name\":\"kv\"") && list.out().contains("\"source\":\"files\"")
          && list.out().contains("\"name\":\"__chronik_meta\""), list.toString());
      assertRefused(target, "ALREADY_EXISTS: topic orders exists", "topic", "create", "orders", "--partitions", "1");
      assertRefused(target, "ALREADY_EXISTS: topic kv exists: the configuration files declare it", "topic", "create",
          "kv", "--partitions", "1");
      assertRefused(target, "INVALID_ARGUMENT: topic name 'bad name' is not allowed", "topic", "create", "bad name",
          "--partitions", "1");
      assertRefused(target, "INVALID_ARGUMENT: topic names starting with \"__\"", "topic", "create", "__mine",
          "--partitions", "1");
      assertRefused(target, "INVALID_ARGUMENT: partitions must be between 1 and 1024", "topic", "create", "x",
          "--partitions", "0");
      assertRefused(target, "INVALID_ARGUMENT: unknown kind 'queue'", "topic", "create", "x", "--partitions", "1",
          "--kind", "queue");
      assertRefused(target, "FAILED_PRECONDITION: topic x needs 5 nodes for its replicas, but only 3", "topic",
          "create", "x", "--partitions", "1", "--replication-factor", "5");
      assertRefused(target, "FAILED_PRECONDITION: topic kv is declared by the configuration files", "topic", "delete",
          "kv");
      assertRefused(target, "NOT_FOUND: no topic nothing to delete", "topic", "delete", "nothing");
      ChronikException metaWrite = failure(c.chronik(0).put(TopicCatalog.TOPIC, 0, TopicCatalog.KEY, ByteString.EMPTY));
      assertEquals(ChronikException.Kind.INVALID_ARGUMENT, metaWrite.kind(), metaWrite.getMessage());

      // Two nodes create topics at once: neither change is lost (compare-and-set of the catalog).
      var a = c.chronik(0).createTopic("kv-a", 1, 3, "key-value");
      var b = c.chronik(2).createTopic("kv-b", 2, 1, "key-value");
      a.toCompletableFuture().get(30, TimeUnit.SECONDS);
      b.toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (int i = 0; i < 3; i++) {
        c.chronik(i).put("kv-a", 0, "k", ByteString.copyFromUtf8("a" + i)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        c.chronik(i).put("kv-b", 1, "k", ByteString.copyFromUtf8("b" + i)).toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
      assertEquals("b2", c.chronik(0).get("kv-b", 1, "k", Optional.of(ReadPolicy.SAFE), 0).toCompletableFuture()
          .get(20, TimeUnit.SECONDS).result().getValue().toStringUtf8());

      // A restarted node starts its replicas of the runtime topics from its own copy and serves them.
      c.stop(2);
      c.start(2);
      c.awaitAllUp();
      assertEveryNodeReads(c, List.of(2), acked);

      // Deleted while n2 is down: the others delete at once, n2 when it is back.
      c.stop(1);
      Run delete = NodeAdminClusterTest.run(target, "topic", "delete", "orders");
      assertEquals(0, delete.code(), delete.toString());
      assertEquals(ChronikException.Kind.NOT_FOUND,
          failure(c.chronik(0).produce("orders", 0, List.of(ByteString.copyFromUtf8("late")))).kind());
      awaitNoFiles(c, 0, "orders");
      awaitNoFiles(c, 2, "orders");
      assertTrue(Files.exists(c.dataDir(1).resolve("records").resolve("n2").resolve("orders-0")),
          "n2 was down: its files are still there");
      c.start(1);
      c.awaitAllUp();
      awaitNoFiles(c, 1, "orders");
      assertEquals(ChronikException.Kind.NOT_FOUND,
          failure(c.chronik(1).produce("orders", 1, List.of(ByteString.copyFromUtf8("late")))).kind());
      assertRefused(target, "ALREADY_EXISTS: topic orders was deleted; a deleted topic's name is not used again",
          "topic", "create", "orders", "--partitions", "1");
      Run after = NodeAdminClusterTest.run(target, "topic", "list");
      assertFalse(after.out().contains("orders"), after.toString());
      assertTrue(after.out().contains("kv-a") && after.out().contains("kv-b"), after.toString());
    }
  }

  /** Every acknowledged record of each partition, in order, through a safe fetch on each of {@code nodes}. */
  private static void assertEveryNodeReads(TestCluster c, List<Integer> nodes, List<List<ByteString>> acked)
      throws Exception {
    for (int i : nodes) {
      for (int p = 0; p < acked.size(); p++) {
        ChronikRaft.Fetched f = c.chronik(i).fetch("orders", p, 0, 1000, 1 << 20, Optional.of(ReadPolicy.SAFE), 0)
            .toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertEquals(acked.get(p), f.records(), "orders-" + p + " through n" + (i + 1));
      }
    }
  }

  private static void assertRefused(String target, String errorStart, String... args) {
    Run r = NodeAdminClusterTest.run(target, args);
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().startsWith(errorStart), "expected '" + errorStart + "...': " + r);
  }

  private static ChronikException failure(java.util.concurrent.CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return (ChronikException) e.getCause();
    }
  }

  private static void awaitNoFiles(TestCluster c, int i, String topic) {
    TestProbe<Object> probe = c.anyKit().createTestProbe();
    Path records = c.dataDir(i).resolve("records").resolve(c.ids.get(i));
    probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
      try (var files = Files.list(records)) {
        List<String> left = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(topic + "-")).toList();
        assertEquals(List.of(), left, "files of deleted topic " + topic + " on " + c.ids.get(i));
      }
      return null;
    });
  }
}
