package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chronik.raft.api.ChronikException;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.replica.ReadPolicy;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A write whose acknowledgement is lost: the follower that forwarded it answers "outcome unknown"
 * after chronik.raft.proposal-timeout. A produce is resent by the node with the same producer
 * identity and appended once; a key-value write (not idempotent) is reported as unknown, never
 * resent blindly.
 */
@Tag("cluster")
class IdempotentProduceClusterTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(NODES, "[{name = orders, partitions = 1, replication-factor = 3, state-machine = record-log},"
        + " {name = kv, partitions = 1, replication-factor = 3, state-machine = key-value}]",
        String.join("\n", "chronik.cluster.message-filter = \"" + DropProposeResults.class.getName() + "\"",
            "chronik.raft.proposal-timeout = 300ms", "chronik.raft.leader-balancing = off"));
  }

  @AfterAll
  static void stop() throws Exception {
    DropProposeResults.budget.set(0);
    cluster.close();
  }

  private static int followerOf(String group) {
    String leader = cluster.awaitLeader(0, group).replicaId();
    return leader.equals("n1") ? 1 : 0;
  }

  @Test
  void aProduceWhoseAcknowledgementWasLostIsResentAndAppendedOnce() throws Exception {
    ChronikRaft viaFollower = cluster.chronik(followerOf("orders-0"));
    DropProposeResults.budget.set(1);
    ChronikRaft.Produced p = viaFollower.produce("orders", 0, List.of(ByteString.copyFromUtf8("once")))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(0, DropProposeResults.budget.get(), "the first acknowledgement was dropped");
    assertTrue(p.duplicate(), "the resend was recognised as the batch already appended: " + p);
    ChronikRaft.Fetched f = viaFollower.fetch("orders", 0, 0, 100, 1 << 20, Optional.of(ReadPolicy.SAFE), 0)
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(List.of(ByteString.copyFromUtf8("once")), f.records(), "appended exactly once");
    assertEquals(p.baseOffset(), f.firstOffset());
  }

  @Test
  void aKeyValueWriteWhoseAcknowledgementWasLostIsReportedAsUnknownNotResent() throws Exception {
    ChronikRaft viaFollower = cluster.chronik(followerOf("kv-0"));
    DropProposeResults.budget.set(1);
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> viaFollower.put("kv", 0, "k", ByteString.copyFromUtf8("v")).toCompletableFuture().get(20, TimeUnit.SECONDS));
    ChronikException c = (ChronikException) e.getCause();
    assertEquals(ChronikException.Kind.OUTCOME_UNKNOWN, c.kind(), c.getMessage());
    assertTrue(c.getMessage().contains("read to find out"), c.getMessage());
  }
}
