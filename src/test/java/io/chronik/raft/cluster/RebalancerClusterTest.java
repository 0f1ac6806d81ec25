package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import com.google.protobuf.ByteString;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.replica.ClientProtocol;
import io.chronik.raft.replica.ReadPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A node that dies for good has its replicas replaced on the other nodes once it has been
 * unreachable for {@code chronik.rebalancer.dead-node-timeout}, with no operator command: every
 * partition it held gets back to its replication factor on live nodes, and every acknowledged
 * write is still there, through every live node.
 */
@Tag("cluster")
class RebalancerClusterTest {
  private static final String KV = "[{name = kv, partitions = 4, replication-factor = 3, state-machine = key-value}]";

  @Test
  void aNodeDeadLongerThanTheTimeoutHasItsReplicasReplacedAndNothingIsLost() throws Exception {
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3", "n4"), KV,
        "chronik.rebalancer.dead-node-timeout = 3s")) {
      for (int p = 0; p < 4; p++) {
        for (int k = 0; k < 5; k++) {
          c.chronik(k % 3).put("kv", p, "k" + k, ByteString.copyFromUtf8("p" + p + "v" + k)).toCompletableFuture()
              .get(20, TimeUnit.SECONDS);
        }
      }
      TestProbe<Object> probe = c.kit(0).createTestProbe();
      // Every partition records its configuration in its log first (the files' voters, with their stores).
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        for (String group : c.chronik(0).node().partitions().keySet()) {
          assertTrue(config(c, group).isPresent(), group + " has recorded its configuration");
        }
        return null;
      });
      String dead = "n4";
      // Every node, n4 included, still holds voters: nodes that started one after another, seconds
      // apart (longer than this 3 s timeout), were not taken for dead while they started. Read again
      // while a status answer is a moment old.
      long held = probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        for (String node : List.of("n1", "n2", "n3", "n4")) {
          assertTrue(votersOn(c, node) > 0, node + " holds voters (none replaced while the cluster started)");
        }
        return votersOn(c, dead);
      });
      c.stop(c.indexOf(dead));
      long stopped = System.nanoTime();

      probe.awaitAssert(Duration.ofSeconds(90), Duration.ofMillis(500), () -> {
        for (String group : c.chronik(0).node().partitions().keySet()) {
          Configuration conf = config(c, group).orElseThrow(() -> new AssertionError(group + ": no configuration"));
          assertFalse(conf.joint(), group + " is not half way: " + conf);
          assertEquals(3, conf.voters().size(), group + ": " + conf);
          assertTrue(conf.voters().stream().noneMatch(v -> Configuration.nodeOf(v).equals(dead)),
              group + " has no voter on the dead node: " + conf);
        }
        return null;
      });
      double restored = (System.nanoTime() - stopped) / 1e9;
      System.out.printf("l2 rebalancer dead_node_timeout_s=3 replicas_replaced=%d restored_s=%.1f%n", held, restored);
      assertTrue(restored < 60, "replication factor restored within 60 s of the node's death: " + restored);

      for (int i = 0; i < 3; i++) {
        for (int p = 0; p < 4; p++) {
          for (int k = 0; k < 5; k++) {
            var read = c.chronik(i).get("kv", p, "k" + k, Optional.of(ReadPolicy.SAFE), 0).toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
            assertEquals("p" + p + "v" + k, read.result().getValue().toStringUtf8(), "kv-" + p + " k" + k + " via n" + (i + 1));
          }
        }
      }
    }
  }

  /** How many partitions have a voter on {@code node}. */
  private static long votersOn(TestCluster c, String node) {
    return c.chronik(0).node().partitions().keySet().stream()
        .filter(g -> config(c, g).orElseThrow().voters().stream().anyMatch(v -> Configuration.nodeOf(v).equals(node)))
        .count();
  }

  /** The partition's configuration as its replicas report it (the leader's when there is one). */
  private static Optional<Configuration> config(TestCluster c, String group) {
    try {
      List<ClientProtocol.Status> statuses = c.chronik(0).status(group).toCompletableFuture().get(10, TimeUnit.SECONDS);
      return ReplicaMover.view(group, statuses).config();
    } catch (Exception e) {
      throw new AssertionError("status of " + group + ": " + e, e);
    }
  }
}
