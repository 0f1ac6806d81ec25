package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.typed.Cluster;
import akka.grpc.GrpcClientSettings;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.GrpcServer;
import io.chronik.raft.api.grpc.ChronikClient;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.ProduceResponse;
import io.chronik.raft.api.grpc.PutRequest;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.replica.ReadProtocol.Read;
import io.chronik.raft.replica.ReadProtocol.ReadReply;
import io.chronik.raft.replica.ReadProtocol.ReadResult;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.testing.FreePorts;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three ActorSystems in one JVM forming an Akka Cluster on 127.0.0.1 (real Artery, a real
 * LevelDB journal per node): replicas hosted through Cluster Sharding on the nodes that own them.
 */
@Tag("cluster")
class ThreeNodeClusterTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static TestCluster cluster;
  private static final List<ClusterNode> nodes = new ArrayList<>();
  private static final List<ChronikClient> clients = new ArrayList<>();
  private static final List<Integer> grpcPorts = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = new TestCluster(NODES, "[{name = kv, partitions = 2, replication-factor = 3, state-machine = key-value},"
        + " {name = orders, partitions = 1, replication-factor = 3, state-machine = record-log},"
        + " {name = events, partitions = 1, replication-factor = 3, state-machine = record-log,"
        + "  retention-bytes = 100, retention = 0, segment-bytes = 1KiB}]");
    for (int i = 0; i < NODES.size(); i++) {
      nodes.add(cluster.chronik(i).node());
      int grpcPort = FreePorts.one();
      grpcPorts.add(grpcPort);
      GrpcServer.bind(cluster.kit(i).system(), "127.0.0.1", grpcPort).toCompletableFuture().get(10, TimeUnit.SECONDS);
      clients.add(ChronikClient.create(
          io.chronik.raft.client.GrpcClients.settings("127.0.0.1", grpcPort, cluster.kit(0).system()).withTls(false),
          cluster.kit(0).system()));
    }
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (ChronikClient c : clients) c.close();
    cluster.close();
  }

  private static Status awaitLeader(ClusterNode via, String group) {
    return cluster.awaitLeader(nodes.indexOf(via), group);
  }

  private static io.grpc.Status.Code grpcCode(java.util.concurrent.CompletionStage<?> call) {
    java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> call.toCompletableFuture().get(15, TimeUnit.SECONDS));
    return assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus().getCode();
  }

  @Test
  void aFetchBelowTheRetainedRecordsIsOutOfRangeAndNamesTheLogStartOffset() throws Exception {
    awaitLeader(nodes.get(0), "events-0");
    for (int i = 0; i < 16; i++) {
      clients.get(i % 3).produce(ProduceRequest.newBuilder().setTopic("events").setPartition(0)
          .addRecords(ByteString.copyFrom(new byte[40])).build()).toCompletableFuture().get(15, TimeUnit.SECONDS);
    }
    // 16 batches of one 40-byte record (72 bytes with the batch header), segments of 1 KiB and
    // 100 bytes allowed: the first segment (batches 0..13) closed at the 15th and went on every replica
    FetchResponse kept = clients.get(1).fetch(FetchRequest.newBuilder().setTopic("events").setPartition(0)
        .setOffset(14).setMaxRecords(10).setMaxBytes(1 << 20).build()).toCompletableFuture().get(15, TimeUnit.SECONDS);
    assertEquals(14, kept.getLogStartOffset());
    assertEquals(16, kept.getHighWatermark());
    assertEquals(2, kept.getRecordsCount());
    java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> clients.get(2).fetch(FetchRequest.newBuilder()
            .setTopic("events").setPartition(0).setOffset(0).setMaxRecords(10).setMaxBytes(1 << 20).build())
            .toCompletableFuture().get(15, TimeUnit.SECONDS));
    io.grpc.Status status = assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus();
    assertEquals(io.grpc.Status.Code.OUT_OF_RANGE, status.getCode());
    assertTrue(status.getDescription().contains("log start offset 14"), status.getDescription());
    io.chronik.raft.api.grpc.StatusResponse st = clients.get(0).status(
        io.chronik.raft.api.grpc.StatusRequest.getDefaultInstance()).toCompletableFuture().get(15, TimeUnit.SECONDS);
    io.chronik.raft.api.grpc.ReplicaStatus leader = st.getPartitionsList().stream()
        .filter(p -> p.getPartition().equals("events-0")).findFirst().orElseThrow().getReplicasList().stream()
        .filter(r -> r.getRole().equals("leader")).findFirst().orElseThrow();
    java.util.Map<String, Long> shown = new java.util.HashMap<>(leader.getStateMachineMap());
    assertTrue(shown.remove("producers") >= 1, "the idempotent producers the partition remembers: " + shown);
    assertEquals(java.util.Map.of("log_start_offset", 14L, "high_watermark", 16L, "segments", 1L, "log_bytes", 144L),
        shown, "status shows the record log's start offset, high watermark and segments");
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
  void followerReadsUnderEachPolicyAreServedWhereThePolicySays() throws Exception {
    Status leader = awaitLeader(nodes.get(0), "orders-0");
    ProduceResponse produced = clients.get(0).produce(ProduceRequest.newBuilder().setTopic("orders").setPartition(0)
        .addRecords(ByteString.copyFromUtf8("p")).build()).toCompletableFuture().get(15, TimeUnit.SECONDS);
    int follower = NODES.indexOf(NODES.stream().filter(n -> !n.equals(leader.replicaId())).findFirst().orElseThrow());
    for (io.chronik.raft.api.grpc.ReadPolicy policy : List.of(io.chronik.raft.api.grpc.ReadPolicy.READ_POLICY_SAFE,
        io.chronik.raft.api.grpc.ReadPolicy.READ_POLICY_NONE, io.chronik.raft.api.grpc.ReadPolicy.READ_POLICY_UNSAFE)) {
      FetchResponse f = clients.get(follower).fetch(FetchRequest.newBuilder().setTopic("orders").setPartition(0)
              .setOffset(produced.getBaseOffset()).setMaxRecords(1).setMaxBytes(1 << 20).setReadPolicy(policy)
              .setMinIndex(policy == io.chronik.raft.api.grpc.ReadPolicy.READ_POLICY_UNSAFE ? produced.getLogIndex() : 0)
              .build())
          .toCompletableFuture().get(15, TimeUnit.SECONDS);
      String expected = policy == io.chronik.raft.api.grpc.ReadPolicy.READ_POLICY_NONE ? leader.replicaId() : NODES.get(follower);
      assertEquals(expected, f.getServedBy(), policy + " is served by " + expected);
      assertEquals(List.of(ByteString.copyFromUtf8("p")), f.getRecordsList(), policy + " sees the write");
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
        .setPartition(0).addRecords(ByteString.copyFrom(new byte[300 << 10])).build())), "over max-entry-bytes");
    // Over max-entry-bytes + 64 KiB: refused while it arrives, before it is buffered.
    assertEquals(io.grpc.Status.Code.RESOURCE_EXHAUSTED, grpcCode(c.produce(ProduceRequest.newBuilder().setTopic("orders")
        .setPartition(0).addRecords(ByteString.copyFrom(new byte[2 << 20])).build())));
  }

  private static StatusRuntimeException grpcError(java.util.concurrent.CompletionStage<?> call) {
    java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> call.toCompletableFuture().get(15, TimeUnit.SECONDS));
    return assertInstanceOf(StatusRuntimeException.class, e.getCause());
  }

  @Test
  void statusNamesWhereEveryNodeServesGrpc() throws Exception {
    cluster.kit(0).createTestProbe().awaitAssert(java.time.Duration.ofSeconds(20), java.time.Duration.ofMillis(200), () -> {
      io.chronik.raft.api.grpc.StatusResponse st;
      try {
        st = clients.get(1).status(io.chronik.raft.api.grpc.StatusRequest.getDefaultInstance()).toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      for (int i = 0; i < NODES.size(); i++) {
        String node = NODES.get(i);
        io.chronik.raft.api.grpc.NodeStatus n = st.getNodeStatesList().stream().filter(x -> x.getNode().equals(node))
            .findFirst().orElseThrow();
        assertEquals("127.0.0.1:" + grpcPorts.get(i), n.getGrpcAddress(), node + " as n2 has heard");
      }
      return null;
    });
  }

  @Test
  void requestsOfTheWrongKindForAPartitionAreRefusedBeforeAnythingIsProposed() throws Exception {
    long kvLast = awaitLeader(nodes.get(0), "kv-0").lastIndex();
    long ordersLast = awaitLeader(nodes.get(0), "orders-0").lastIndex();
    StatusRuntimeException produce = grpcError(clients.get(0).produce(ProduceRequest.newBuilder().setTopic("kv")
        .setPartition(0).addRecords(ByteString.copyFromUtf8("r")).build()));
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, produce.getStatus().getCode());
    assertTrue(produce.getStatus().getDescription().contains("kv-0 is a key-value partition"),
        produce.getStatus().getDescription());
    StatusRuntimeException get = grpcError(clients.get(1).get(io.chronik.raft.api.grpc.GetRequest.newBuilder()
        .setTopic("orders").setPartition(0).setKey("k").build()));
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, get.getStatus().getCode());
    assertTrue(get.getStatus().getDescription().contains("orders-0 is a record-log partition"),
        get.getStatus().getDescription());
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, grpcCode(clients.get(2).put(PutRequest.newBuilder()
        .setTopic("orders").setPartition(0).setKey("k").build())));
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, grpcCode(clients.get(2).fetch(FetchRequest.newBuilder()
        .setTopic("kv").setPartition(0).setMaxRecords(1).setMaxBytes(1).build())));
    assertEquals(kvLast, awaitLeader(nodes.get(0), "kv-0").lastIndex(), "no entry was appended to kv-0");
    assertEquals(ordersLast, awaitLeader(nodes.get(0), "orders-0").lastIndex(), "no entry was appended to orders-0");
  }

  @Test
  void anIdempotentProduceResentOverGrpcIsAnsweredWithItsOriginalOffsets() throws Exception {
    awaitLeader(nodes.get(0), "orders-0");
    long producer = new java.util.Random().nextLong() | 1;
    ProduceRequest batch = ProduceRequest.newBuilder().setTopic("orders").setPartition(0).setProducerId(producer)
        .setSequence(0).addRecords(ByteString.copyFromUtf8("idem-0")).build();
    ProduceResponse first = clients.get(1).produce(batch).toCompletableFuture().get(15, TimeUnit.SECONDS);
    ProduceResponse resent = clients.get(2).produce(batch).toCompletableFuture().get(15, TimeUnit.SECONDS);
    assertTrue(resent.getDuplicate(), resent.toString());
    assertEquals(first.getBaseOffset(), resent.getBaseOffset());
    FetchResponse f = clients.get(0).fetch(FetchRequest.newBuilder().setTopic("orders").setPartition(0)
        .setOffset(first.getBaseOffset()).setMaxRecords(100).setMaxBytes(1 << 20).build())
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
    assertEquals(1, f.getRecordsList().stream().filter(r -> r.toStringUtf8().equals("idem-0")).count(),
        "appended once: " + f.getRecordsList());
    StatusRuntimeException gap = grpcError(clients.get(0).produce(batch.toBuilder().setSequence(5).build()));
    assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, gap.getStatus().getCode());
    assertTrue(gap.getStatus().getDescription().contains("send sequence 1 next"), gap.getStatus().getDescription());
  }

  @Test
  void theServerAnswersWithinTheClientsDeadlineWhenItIsShorterThanItsOwnTimeouts() throws Exception {
    Status leader = awaitLeader(nodes.get(0), "kv-1");
    int port = FreePorts.one();
    GrpcServer.bind(cluster.kit(0).system(), "127.0.0.1", port).toCompletableFuture().get(10, TimeUnit.SECONDS);
    ChronikClient impatient = ChronikClient.create(io.chronik.raft.client.GrpcClients.settings("127.0.0.1", port,
        cluster.kit(0).system()).withTls(false).withDeadline(java.time.Duration.ofMillis(1500)), cluster.kit(0).system());
    try {
      // The connection is up and the error path warm first (on a cold JVM either may take longer
      // than the margin a node leaves before a deadline): the deadline below is the request's alone.
      cluster.kit(0).createTestProbe().awaitAssert(java.time.Duration.ofSeconds(30), java.time.Duration.ofMillis(10), () -> {
        try {
          return impatient.ping(io.chronik.raft.api.grpc.PingRequest.getDefaultInstance()).toCompletableFuture()
              .get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new AssertionError("no connection to the node yet: " + e);
        }
      });
      assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, grpcCode(impatient.get(io.chronik.raft.api.grpc.GetRequest.newBuilder().setTopic("kv").setPartition(1).build())), "no key");
      // An index a little ahead of the log: the read waits for it (up to read-index-timeout, 5 s).
      long ahead = leader.lastIndex() + 50;
      grpcError(impatient.get(io.chronik.raft.api.grpc.GetRequest.newBuilder().setTopic("kv").setPartition(1)
          .setKey("k").setMinIndex(ahead).build())); // once to warm the path, unchecked
      StatusRuntimeException e = grpcError(impatient.get(io.chronik.raft.api.grpc.GetRequest.newBuilder().setTopic("kv")
          .setPartition(1).setKey("k").setMinIndex(ahead).build()));
      assertEquals(io.grpc.Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      // The node answered within the client's deadline: had the deadline passed first, the client
      // would have cancelled the call and reported its own DEADLINE_EXCEEDED ("deadline exceeded
      // after ..."), dropping whatever the node sent later. The node's own message (it names the
      // partition) is the proof, whatever the machine's speed; a stopwatch here only measured it.
      assertTrue(e.getStatus().getDescription() != null && e.getStatus().getDescription().contains("kv-1"),
          "the node answered in time with its own message, not the client giving up: " + e.getStatus());
    } finally {
      impatient.close();
    }
  }

  @Test
  void theMetricsEndpointShowsIndexesReadCountersAndLatencyHistogramsPerPartition() throws Exception {
    awaitLeader(nodes.get(0), "kv-1");
    cluster.chronik(0).get("kv", 1, "m", java.util.Optional.of(ReadPolicy.SAFE), 0).toCompletableFuture()
        .get(15, TimeUnit.SECONDS);
    akka.actor.typed.ActorSystem<?> n1 = cluster.kit(0).system();
    // Requests through n1's gRPC service are counted by method and status code.
    clients.get(0).get(io.chronik.raft.api.grpc.GetRequest.newBuilder().setTopic("kv").setPartition(1).setKey("m")
        .build()).toCompletableFuture().get(15, TimeUnit.SECONDS);
    grpcCode(clients.get(0).get(io.chronik.raft.api.grpc.GetRequest.newBuilder().setTopic("kv").setPartition(1).build()));
    // Over HTTP, as Prometheus scrapes it.
    java.net.InetSocketAddress endpoint = io.chronik.raft.api.MetricsEndpoint.bind(n1, "127.0.0.1", 0)
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<String> scraped = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + endpoint.getPort() + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, scraped.statusCode());
    assertTrue(scraped.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
        scraped.headers().map().toString());
    assertEquals(404, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
        + endpoint.getPort() + "/other")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
    String text = scraped.body();
    assertTrue(text.matches("(?s).*chronik_replica_commit_index\\{node=\"n1\",partition=\"kv-1\"} [1-9].*"), text);
    assertTrue(text.matches("(?s).*chronik_reads_served_total\\{node=\"n1\",partition=\"kv-1\",policy=\"safe\"} [1-9].*"), text);
    assertTrue(text.contains("chronik_reads_oldest_pending_age_seconds"), text);
    // Latency as histogram buckets, which add up across nodes; no per-replica percentiles.
    assertTrue(text.matches("(?s).*chronik_read_latency_seconds_bucket\\{node=\"n1\",partition=\"kv-1\","
        + "policy=\"safe\",le=\"\\+Inf\"} [1-9].*"), text);
    assertFalse(text.contains("chronik_read_latency_p99"), text);
    // The node's other meters are in the same scrape.
    assertTrue(text.matches("(?s).*chronik_grpc_server_requests_seconds_count\\{code=\"OK\",method=\"Get\",node=\"n1\"} [1-9].*"), text);
    assertTrue(text.matches("(?s).*chronik_grpc_server_requests_seconds_count\\{code=\"INVALID_ARGUMENT\",method=\"Get\",node=\"n1\"} [1-9].*"), text);
    assertTrue(text.contains("chronik_grpc_server_in_flight{node=\"n1\"}"), text);
    // How replica messages left the node: on the peers' gRPC streams (once up), over Artery before.
    assertTrue(text.matches("(?s).*chronik_peer_messages_total\\{node=\"n1\",via=\"stream\"} [1-9].*"), text);
    assertTrue(text.contains("chronik_peer_messages_total{node=\"n1\",via=\"artery\"}"), text);
    assertTrue(text.contains("jvm_threads_live_threads{node=\"n1\"}"), text);
    assertTrue(text.contains("process_cpu_seconds_total{node=\"n1\"}"), text);
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
