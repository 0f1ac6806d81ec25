package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.ChronikException;
import io.chronik.raft.replica.ReadPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster id: drawn once in the metadata group, kept in every node's store.pb; a node whose
 * data belongs to another cluster exchanges nothing with this one (its votes and entries could
 * otherwise mix two clusters' logs of partitions of the same names), and takes part again once its
 * data is this cluster's.
 */
@Tag("cluster")
class ClusterIdTest {
  private static final String KV = "[{name = kv, partitions = 2, replication-factor = 3, state-machine = key-value}]";

  @Test
  void aNodeWhoseDataBelongsToAnotherClusterIsRefusedUntilItIsThisOnes() throws Exception {
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3"), KV)) {
      TestProbe<Object> probe = c.kit(0).createTestProbe();
      String id = probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
        String first = StoreIdentity.clusterId(c.dataDir(0));
        assertTrue(first.matches("c-[0-9a-f]{12}"), "n1's store.pb names the cluster: '" + first + "'");
        for (int i = 1; i < 3; i++) assertEquals(first, StoreIdentity.clusterId(c.dataDir(i)), "n" + (i + 1));
        assertEquals(Optional.of(first), c.chronik(2).node().clusterId());
        return first;
      });

      c.stop(2);
      StoreIdentity.adoptClusterId(c.dataDir(2), "c-elsewhere");
      c.start(2);
      c.awaitAllUp();
      probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(200), () -> {
        assertFalse(c.chronik(0).node().knownNodes().contains("n3"), "n1 refuses n3");
        assertFalse(c.chronik(2).node().knownNodes().contains("n1"), "n3 refuses n1");
        return null;
      });
      for (int p = 0; p < 2; p++) {
        c.chronik(0).put("kv", p, "k", ByteString.copyFromUtf8("v" + p)).toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
      try {
        c.chronik(2).put("kv", 0, "k", ByteString.copyFromUtf8("foreign")).toCompletableFuture().get(30, TimeUnit.SECONDS);
        throw new AssertionError("a node of another cluster took a write");
      } catch (ExecutionException e) {
        assertEquals(ChronikException.Kind.UNAVAILABLE, ((ChronikException) e.getCause()).kind(), e.toString());
      }
      assertEquals("c-elsewhere", StoreIdentity.clusterId(c.dataDir(2)), "n3 keeps its own cluster id");

      c.stop(2);
      StoreIdentity.adoptClusterId(c.dataDir(2), id);
      c.start(2);
      c.awaitAllUp();
      for (int p = 0; p < 2; p++) {
        String value = c.chronik(2).get("kv", p, "k", Optional.of(ReadPolicy.SAFE), 0).toCompletableFuture()
            .get(30, TimeUnit.SECONDS).result().getValue().toStringUtf8();
        assertEquals("v" + p, value, "n3 serves this cluster's writes again");
      }
    }
  }
}
