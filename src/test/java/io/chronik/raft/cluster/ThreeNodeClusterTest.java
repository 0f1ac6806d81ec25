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
import akka.grpc.GrpcClientSettings;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.api.GrpcServer;
import io.chronik.raft.api.grpc.ChronikClient;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.ProduceResponse;
import io.chronik.raft.api.grpc.PutRequest;
import io.chronik.raft.server.ChronikConfig;
import io.grpc.StatusRuntimeException;
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
  private static final List<ChronikClient> clients = new ArrayList<>();

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
            "chronik.topics = [{name = kv, partitions = 2, replication-factor = 3, state-machine = key-value},",
            "  {name = orders, partitions = 1, replication-factor = 3, state-machine = record-log}]",
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
    for (ActorTestKit k : kits) {
      nodes.add(ChronikRaft.get(k.system()).node());
      int grpcPort = freePort();
      GrpcServer.bind(k.system(), "127.0.0.1", grpcPort).toCompletableFuture().get(10, TimeUnit.SECONDS);
      clients.add(ChronikClient.create(
          GrpcClientSettings.connectToServiceAt("127.0.0.1", grpcPort, kits.get(0).system()).withTls(false),
          kits.get(0).system()));
    }
  }

  private static io.grpc.Status.Code grpcCode(java.util.concurrent.CompletionStage<?> call) {
    java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> call.toCompletableFuture().get(15, TimeUnit.SECONDS));
    return assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus().getCode();
  }

  @Test
  void producedRecordsAreFetchedLinearizablyThroughAnyNodeOverGrpc() throws Exception {
    awaitLeader(nodes.get(0), "orders-0");
    ProduceResponse produced = clients.get(2).produce(ProduceRequest.newBuilder().setTopic("orders").setPartition(0)
            .addRecords(ByteString.copyFromUtf8("a")).addRecords(ByteString.copyFromUtf8("b")).build())
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
    assertEquals(2, produced.getCount());
    for (int i = 0; i < clients.size(); i++) {
      FetchResponse fetched = clients.get(i).fetch(FetchRequest.newBuilder().setTopic("orders").setPartition(0)
              .setOffset(produced.getBaseOffset()).setMaxRecords(10).setMaxBytes(1 << 20)
              .setReadPolicy(io.chronik.raft.api.grpc.ReadPolicy.READ_POLICY_SAFE).build())
          .toCompletableFuture().get(15, TimeUnit.SECONDS);
      assertEquals(NODES.get(i), fetched.getServedBy(), "served by the receiving node's own replica");
      assertEquals(List.of(ByteString.copyFromUtf8("a"), ByteString.copyFromUtf8("b")), fetched.getRecordsList());
    }
  }

  @Test
  void badRequestsGetTheDocumentedStatusCodes() {
    ChronikClient c = clients.get(1);
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, grpcCode(c.fetch(FetchRequest.newBuilder().setTopic("orders")
        .setPartition(0).setOffset(-1).setMaxRecords(1).setMaxBytes(1).build())));
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, grpcCode(c.fetch(FetchRequest.newBuilder().setTopic("orders")
        .setPartition(0).setOffset(0).setMaxRecords(0).setMaxBytes(1).build())));
    assertEquals(io.grpc.Status.Code.NOT_FOUND, grpcCode(c.fetch(FetchRequest.newBuilder().setTopic("nope")
        .setPartition(0).setOffset(0).setMaxRecords(1).setMaxBytes(1).build())));
    assertEquals(io.grpc.Status.Code.NOT_FOUND, grpcCode(c.put(PutRequest.newBuilder().setTopic("kv").setPartition(7)
        .setKey("k").build())));
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, grpcCode(c.put(PutRequest.newBuilder().setTopic("kv").setPartition(0)
        .setKey("").build())));
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, grpcCode(c.produce(ProduceRequest.newBuilder().setTopic("orders")
        .setPartition(0).build())));
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, grpcCode(c.produce(ProduceRequest.newBuilder().setTopic("orders")
        .setPartition(0).addRecords(ByteString.copyFrom(new byte[2 << 20])).build())), "over max-entry-bytes");
  }

  /** All members leave at once: one after another, each waits for sharding hand-off from the others. */
  @AfterAll
  static void stopCluster() throws Exception {
    for (ChronikClient c : clients) c.close();
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
