package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.ReadPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Stop the node that leads a partition: the others elect a leader and keep serving; it comes back with its data. */
@Tag("cluster")
class NodeRestartTest {
  @Test
  void aStoppedLeadersPartitionMovesOnAndTheNodeRejoinsWithItsData() throws Exception {
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3"),
        "[{name = kv, partitions = 1, replication-factor = 3, state-machine = key-value}]")) {
      Status leader = c.awaitLeader(0, "kv-0");
      c.chronik(0).put("kv", 0, "x", ByteString.copyFromUtf8("1")).toCompletableFuture().get(15, TimeUnit.SECONDS);

      int stopped = c.indexOf(leader.replicaId());
      c.stop(stopped);
      int survivor = (stopped + 1) % 3;
      Status fresh = c.awaitLeader(survivor, "kv-0");
      assertNotEquals(leader.replicaId(), fresh.replicaId());
      assertTrue(fresh.term() > leader.term());
      long written = c.chronik(survivor).put("kv", 0, "x", ByteString.copyFromUtf8("2")).toCompletableFuture()
          .get(15, TimeUnit.SECONDS).logIndex();
      int other = (stopped + 2) % 3;
      assertEquals("2", c.chronik(other).get("kv", 0, "x", Optional.of(ReadPolicy.SAFE), 0).toCompletableFuture()
          .get(15, TimeUnit.SECONDS).result().getValue().toStringUtf8(), "two of three keep serving");

      c.start(stopped);
      c.awaitAllUp();
      ChronikRaft back = c.chronik(stopped);
      TestProbe<Object> probe = c.kit(stopped).createTestProbe();
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        ChronikRaft.KvRead r = back.get("kv", 0, "x", Optional.of(ReadPolicy.SAFE), 0).toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
        assertEquals(c.ids.get(stopped), r.servedBy(), "served by the restarted node's own replica");
        assertEquals("2", r.result().getValue().toStringUtf8());
        assertTrue(r.appliedIndex() >= written);
        return null;
      });
    }
  }
}
