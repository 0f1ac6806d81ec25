package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import io.chronik.raft.cluster.NodeHost.GroupSpec;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.QueryResult;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.ClientProtocol.UnknownPartition;
import io.chronik.raft.server.ChronikConfig;
import io.chronik.raft.statemachine.proto.RecordLogReadResult;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three nodes in one ActorSystem on the real embedded journal: routing, replication, bad requests. */
class InProcessClusterTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static InProcessCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "cluster-");
    Config config = ChronikConfig.load(Path.of("does-not-exist.conf"), Map.of(
        "chronik.data-dir", dir.toString(),
        "chronik.raft.election-timeout", "300ms",
        "chronik.raft.heartbeat-interval", "50ms"));
    cluster = InProcessCluster.start(config, NODES, List.of(
        new GroupSpec("log-0", Set.copyOf(NODES), RecordLogStateMachine::new),
        new GroupSpec("log-1", Set.of("n1", "n2"), RecordLogStateMachine::new)));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void recordsAppendedThroughTheLeaderAreReadableOnEveryReplica() throws Exception {
    Status leader = cluster.awaitLeader("log-0", Duration.ofSeconds(20));
    ProposeReply reply = get(cluster.propose(leader.replicaId(), "log-0",
        RecordLogStateMachine.append(List.of(ByteString.copyFromUtf8("a"), ByteString.copyFromUtf8("b")))));
    Proposed p = assertInstanceOf(Proposed.class, reply);
    assertEquals(2, RecordLogStateMachine.appendResult(p.result()).getCount());
    TestProbe<Void> probe = TestProbe.create(cluster.system());
    for (String node : NODES) {
      probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(20), () -> {
        Optional<Status> s = cluster.statusNow(node, "log-0");
        assertTrue(s.isPresent() && s.get().appliedIndex() >= p.index(), node + " did not apply " + p.index() + ": " + s);
        return null;
      });
      QueryResult q = assertInstanceOf(QueryResult.class,
          get(cluster.localQuery(node, "log-0", RecordLogStateMachine.read(0, 100, 1 << 20))));
      RecordLogReadResult r = RecordLogStateMachine.readResult(q.result());
      assertTrue(r.getHighWatermark() >= 2, node + ": " + r);
    }
  }

  @Test
  void aFollowerForwardsProposalsToTheLeaderAndRelaysItsAnswer() throws Exception {
    Status leader = cluster.awaitLeader("log-0", Duration.ofSeconds(20));
    String follower = NODES.stream().filter(n -> !n.equals(leader.replicaId())).findFirst().orElseThrow();
    ProposeReply reply = get(cluster.propose(follower, "log-0",
        RecordLogStateMachine.append(List.of(ByteString.copyFromUtf8("via-follower")))));
    Proposed p = assertInstanceOf(Proposed.class, reply);
    assertEquals(leader.replicaId(), p.leader(), "committed by the leader, not by the follower that took the write");
    assertEquals(1, RecordLogStateMachine.appendResult(p.result()).getCount());
  }

  @Test
  void aPartitionTheNodeDoesNotHostGetsAnErrorReply() throws Exception {
    ProposeReply reply = get(cluster.propose("n3", "log-1", RecordLogStateMachine.append(List.of())));
    UnknownPartition unknown = assertInstanceOf(UnknownPartition.class, reply);
    assertEquals("log-1", unknown.groupId());
    assertEquals(Set.of("log-0"), unknown.hosted());
    assertInstanceOf(UnknownPartition.class, get(cluster.localQuery("n1", "nope", ByteString.EMPTY)));
    assertInstanceOf(UnknownPartition.class, get(cluster.status("n2", "nope")));
  }

  @Test
  void malformedCommandsAndQueriesAreAnsweredWithErrorsNotCrashes() throws Exception {
    Status leader = cluster.awaitLeader("log-0", Duration.ofSeconds(20));
    Proposed p = assertInstanceOf(Proposed.class,
        get(cluster.propose(leader.replicaId(), "log-0", ByteString.copyFrom(new byte[] {(byte) 0xff, 0x01}))));
    assertTrue(!RecordLogStateMachine.appendResult(p.result()).getError().isEmpty(), "error result for garbage");
    QueryResult q = assertInstanceOf(QueryResult.class,
        get(cluster.localQuery(leader.replicaId(), "log-0", RecordLogStateMachine.read(-1, 10, 10))));
    assertTrue(RecordLogStateMachine.readResult(q.result()).getError().contains("offset"));
    // the replica is still healthy
    assertInstanceOf(Proposed.class, get(cluster.propose(leader.replicaId(), "log-0",
        RecordLogStateMachine.append(List.of(ByteString.copyFromUtf8("after"))))));
  }
}
