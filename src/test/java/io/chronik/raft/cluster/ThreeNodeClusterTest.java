package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.ClientProtocol.StatusReply;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.replica.ReadProtocol.Read;
import io.chronik.raft.replica.ReadProtocol.ReadReply;
import io.chronik.raft.replica.ReadProtocol.ReadResult;
import io.chronik.raft.server.ChronikConfig;
import io.chronik.raft.statemachine.KeyValueStateMachine;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three ActorSystems in one JVM forming an Akka Cluster on 127.0.0.1 (real Artery, a real
 * LevelDB journal per node): replicas hosted through Cluster Sharding on the nodes that own them.
 */
class ThreeNodeClusterTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final List<ActorTestKit> kits = new ArrayList<>();
  private static final List<ClusterNode> nodes = new ArrayList<>();

  static Config nodeConfig(String node, int port, int seedPort, Path dataDir) {
    return ChronikConfig.withDerivedPaths(ConfigFactory.parseString(String.join("\n",
            "akka.actor.provider = cluster",
            "akka.remote.artery.canonical.hostname = \"127.0.0.1\"",
            "akka.remote.artery.canonical.port = " + port,
            "akka.cluster.seed-nodes = [\"akka://chronik@127.0.0.1:" + seedPort + "\"]",
            "akka.cluster.roles = [chronik, " + ReplicaId.nodeRole(node) + "]",
            "akka.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "akka.cluster.sharding.remember-entities-store = eventsourced",
            "akka.cluster.sharding.journal-plugin-id = chronik.journal.leveldb",
            "akka.cluster.sharding.snapshot-plugin-id = akka.persistence.snapshot-store.local",
            "akka.persistence.snapshot-store.local.dir = \"" + dataDir.resolve("snapshots") + "\"",
            "akka.loglevel = WARNING",
            "chronik.node-id = " + node,
            "chronik.data-dir = \"" + dataDir + "\"",
            "chronik.cluster.nodes = [n1, n2, n3]",
            "chronik.topics = [{name = kv, partitions = 2, replication-factor = 3, state-machine = key-value}]",
            "chronik.raft.election-timeout = 500ms",
            "chronik.raft.heartbeat-interval = 50ms"))
        .withFallback(ConfigFactory.load()).resolve());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @BeforeAll
  static void startCluster() throws Exception {
    Path root = Files.createTempDirectory(Path.of("target"), "three-nodes-");
    int seedPort = freePort();
    for (int i = 0; i < NODES.size(); i++) {
      String node = NODES.get(i);
      int port = i == 0 ? seedPort : freePort();
      ActorTestKit kit = ActorTestKit.create("chronik", nodeConfig(node, port, seedPort, root.resolve(node)));
      kits.add(kit);
    }
    TestProbe<Object> probe = kits.get(0).createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(30), () -> {
      for (ActorTestKit k : kits) {
        assertEquals(MemberStatus.up(), Cluster.get(k.system()).selfMember().status(), "member up");
      }
      return null;
    });
    for (ActorTestKit k : kits) nodes.add(ClusterNode.start(k.system()));
  }

  /** All members leave at once: one after another, each waits for sharding hand-off from the others. */
  @AfterAll
  static void stopCluster() throws Exception {
    for (ActorTestKit k : kits) k.system().terminate();
    for (ActorTestKit k : kits) k.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** The replica of {@code group} that leads, asked through node {@code via}. */
  private static Status awaitLeader(ClusterNode via, String group) {
    TestProbe<Object> probe = kits.get(0).createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      for (String voter : via.voters(group)) {
        StatusReply r = via.<StatusReply>ask(group, voter, GetStatus::new).toCompletableFuture()
            .get(2, TimeUnit.SECONDS);
        if (r instanceof Status s && s.role().equals("leader")) return s;
      }
      throw new AssertionError("no leader for " + group + " yet");
    });
  }

  @Test
  void everyPartitionHasOneReplicaPerNodeAndElectsALeader() {
    for (String group : nodes.get(0).partitions().keySet()) {
      assertEquals(new HashSet<>(NODES), new HashSet<>(nodes.get(0).voters(group)), "replicas on distinct nodes");
      Status leader = awaitLeader(nodes.get(1), group);
      assertTrue(NODES.contains(leader.replicaId()));
    }
  }

  @Test
  void aWriteThroughOneNodeIsReadLinearizablyOnAFollowerThroughAnother() throws Exception {
    String group = "kv-0";
    Status leader = awaitLeader(nodes.get(2), group);
    ProposeReply reply = nodes.get(2).<ProposeReply>ask(group, leader.replicaId(),
            r -> new Propose(KeyValueStateMachine.put("x", ByteString.copyFromUtf8("42")), r))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertInstanceOf(Proposed.class, reply);
    String follower = NODES.stream().filter(n -> !n.equals(leader.replicaId())).findFirst().orElseThrow();
    ReadReply read = nodes.get(0).<ReadReply>ask(group, follower,
            r -> new Read(KeyValueStateMachine.get("x"), Optional.of(ReadPolicy.SAFE), 0, r))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    ReadResult result = assertInstanceOf(ReadResult.class, read);
    assertEquals(follower, result.servedBy());
    assertEquals("42", KeyValueStateMachine.result(result.result()).getValue().toStringUtf8());
  }
}
