package io.chronik.raft.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.grpc.GrpcClientSettings;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.grpc.ChronikClient;
import io.chronik.raft.api.grpc.CompareAndSetRequest;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.GetRequest;
import io.chronik.raft.api.grpc.LeaderTransferRequest;
import io.chronik.raft.api.grpc.NodeAddRequest;
import io.chronik.raft.api.grpc.NodeListRequest;
import io.chronik.raft.api.grpc.NodeRemoveRequest;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.PutRequest;
import io.chronik.raft.api.grpc.StatusRequest;
import io.chronik.raft.api.grpc.StatusResponse;
import io.chronik.raft.testing.FreePorts;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * L5: generated requests — boundary sizes, empty and unicode names, negative and huge numbers,
 * unknown enum values — against a real node over gRPC. Every answer is success or a documented
 * status code, never INTERNAL/UNKNOWN, and the node stays healthy.
 */
@Tag("cluster")
class GrpcBadInputPropertiesTest {
  private static final Set<Status.Code> DOCUMENTED = Set.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
      Status.Code.NOT_FOUND, Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.ABORTED,
      Status.Code.FAILED_PRECONDITION, Status.Code.OUT_OF_RANGE,
      // a body over max-entry-bytes + 64 KiB, refused while it arrives (see proto/chronik.proto)
      Status.Code.RESOURCE_EXHAUSTED);
  private static io.chronik.raft.cluster.TestCluster cluster;
  private static ActorTestKit node;
  private static ChronikClient client;

  @BeforeContainer
  static void start() throws Exception {
    cluster = new io.chronik.raft.cluster.TestCluster(List.of("solo"),
        "[{name = log, partitions = 2, replication-factor = 1, state-machine = record-log},"
            + " {name = kv, partitions = 1, replication-factor = 1, state-machine = key-value}]");
    node = cluster.kit(0);
    int grpc = FreePorts.one();
    GrpcServer.bind(node.system(), "127.0.0.1", grpc).toCompletableFuture().get(30, TimeUnit.SECONDS);
    client = ChronikClient.create(io.chronik.raft.client.GrpcClients.settings("127.0.0.1", grpc, node.system())
        .withTls(false), node.system());
    node.createTestProbe().awaitAssert(java.time.Duration.ofSeconds(60), java.time.Duration.ofMillis(100), () -> {
      StatusResponse s = client.status(StatusRequest.getDefaultInstance()).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertTrue(s.getPartitionsList().stream().allMatch(p -> !p.getLeader().isEmpty()), "leaders elected: " + s);
      return null;
    });
  }

  @AfterContainer
  static void stop() throws Exception {
    client.close();
    cluster.close();
  }

  private static Status.Code code(CompletionStage<?> call) throws Exception {
    try {
      call.toCompletableFuture().get(20, TimeUnit.SECONDS);
      return Status.Code.OK;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) return s.getStatus().getCode();
      throw e;
    }
  }

  private static void assertDocumented(CompletionStage<?> call, Object request) throws Exception {
    Status.Code c = code(call);
    assertTrue(DOCUMENTED.contains(c), c + " for " + request);
  }

  @Provide
  Arbitrary<String> topics() {
    return Arbitraries.oneOf(Arbitraries.of("log", "kv", "", " ", "log\u0000", "ünïcödé", "log-0"),
        Arbitraries.strings().ofMaxLength(300));
  }

  @Provide
  Arbitrary<Integer> partitions() {
    return Arbitraries.oneOf(Arbitraries.of(0, 1, 2, -1, Integer.MIN_VALUE, Integer.MAX_VALUE), Arbitraries.integers());
  }

  @Provide
  Arbitrary<FetchRequest> fetches() {
    Arbitrary<Long> longs = Arbitraries.oneOf(Arbitraries.of(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE),
        Arbitraries.longs());
    Arbitrary<Integer> policies = Arbitraries.oneOf(Arbitraries.integers().between(0, 3), Arbitraries.of(-1, 4, 99));
    return Combinators.combine(topics(), partitions(), longs, partitions(), longs, policies, longs)
        .as((t, p, offset, maxRecords, maxBytes, policy, minIndex) -> FetchRequest.newBuilder().setTopic(t)
            .setPartition(p).setOffset(offset).setMaxRecords(maxRecords).setMaxBytes(maxBytes)
            .setReadPolicyValue(policy).setMinIndex(minIndex).build());
  }

  @Provide
  Arbitrary<Integer> sizes() {
    return Arbitraries.of(0, 1, 1000, 200 * 1024, 256 * 1024, 300 * 1024);
  }

  @Provide
  Arbitrary<Integer> counts() {
    return Arbitraries.of(0, 1, 2, 100);
  }

  @Provide
  Arbitrary<String> keys() {
    return Arbitraries.oneOf(Arbitraries.of("", "k", "ключ", "\uD83D\uDE00", "a/b|c"), Arbitraries.strings().ofMaxLength(1000));
  }

  @Property(tries = 60)
  void fetchAnswersOnlyDocumentedCodes(@ForAll("fetches") FetchRequest request) throws Exception {
    assertDocumented(client.fetch(request), request);
  }

  @Property(tries = 40)
  void produceAnswersOnlyDocumentedCodes(@ForAll("topics") String topic, @ForAll("partitions") int partition,
      @ForAll("sizes") int recordBytes, @ForAll("counts") int records) throws Exception {
    ProduceRequest.Builder b = ProduceRequest.newBuilder().setTopic(topic).setPartition(partition);
    for (int i = 0; i < records; i++) b.addRecords(ByteString.copyFrom(new byte[recordBytes]));
    assertDocumented(client.produce(b.build()), topic + "/" + partition + " " + records + "x" + recordBytes);
  }

  @Property(tries = 40)
  void keyValueCallsAnswerOnlyDocumentedCodes(@ForAll("topics") String topic, @ForAll("partitions") int partition,
      @ForAll("keys") String key, @ForAll("sizes") int valueBytes, @ForAll boolean expectAbsent) throws Exception {
    ByteString value = ByteString.copyFrom(new byte[valueBytes]);
    PutRequest put = PutRequest.newBuilder().setTopic(topic).setPartition(partition).setKey(key).setValue(value).build();
    assertDocumented(client.put(put), key);
    assertDocumented(client.get(GetRequest.newBuilder().setTopic(topic).setPartition(partition).setKey(key)
        .setReadPolicyValue(7).build()), key);
    assertDocumented(client.compareAndSet(CompareAndSetRequest.newBuilder().setTopic(topic).setPartition(partition)
        .setKey(key).setExpectAbsent(expectAbsent).setExpectedValue(value).setNewValue(value).build()), key);
  }

  @Provide
  Arbitrary<String> nodeIds() {
    return Arbitraries.oneOf(Arbitraries.of("solo", "", " ", "n9", "solo/1", "so lo", "solo\u0000", "ünïcödé",
        "\uD83D\uDE00"), Arbitraries.strings().ofMaxLength(300));
  }

  /** A server-streaming call run to its end (or its failure). */
  private static CompletionStage<?> streamed(akka.stream.javadsl.Source<?, ?> stream) {
    return stream.runWith(akka.stream.javadsl.Sink.seq(), node.system());
  }

  @Property(tries = 30)
  void clusterAdministrationAnswersOnlyDocumentedCodes(@ForAll("nodeIds") String nodeId, @ForAll boolean force,
      @ForAll("topics") String topic, @ForAll("partitions") int partition) throws Exception {
    assertDocumented(streamed(client.nodeAdd(NodeAddRequest.newBuilder().setNode(nodeId).build())), "add " + nodeId);
    assertDocumented(streamed(client.nodeRemove(NodeRemoveRequest.newBuilder().setNode(nodeId).setForce(force)
        .build())), "remove " + nodeId + " force " + force);
    assertDocumented(client.leaderTransfer(LeaderTransferRequest.newBuilder().setTopic(topic).setPartition(partition)
        .setNode(nodeId).build()), "transfer " + topic + "/" + partition + " to " + nodeId);
    assertEquals(Status.Code.OK, code(client.nodeList(NodeListRequest.getDefaultInstance())));
  }

  @Property(tries = 1)
  void clusterAdministrationRefusesWhatCannotBeDoneAndSaysWhy(@ForAll("keys") String ignored) throws Exception {
    assertEquals(Status.Code.INVALID_ARGUMENT, code(streamed(client.nodeAdd(NodeAddRequest.getDefaultInstance()))));
    StatusRuntimeException unknown = failure(streamed(client.nodeAdd(NodeAddRequest.newBuilder().setNode("n9")
        .build())));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    assertTrue(unknown.getStatus().getDescription().contains("`chronik server` and `--seeds`")
        && unknown.getStatus().getDescription().contains("`chronik node list`"), unknown.getStatus().getDescription());
    StatusRuntimeException last = failure(streamed(client.nodeRemove(NodeRemoveRequest.newBuilder().setNode("solo")
        .build())));
    assertTrue(Set.of(Status.Code.FAILED_PRECONDITION, Status.Code.UNAVAILABLE).contains(last.getStatus().getCode()),
        "the only node holds every replica; nowhere to move them: " + last.getStatus());
    assertEquals(Status.Code.OK, code(client.leaderTransfer(LeaderTransferRequest.newBuilder().setTopic("kv")
        .setNode("solo").build())), "the only voter leads already");
  }

  private static StatusRuntimeException failure(CompletionStage<?> call) throws Exception {
    try {
      call.toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) return s;
      throw e;
    }
    throw new AssertionError("the call succeeded");
  }

  @Property(tries = 3)
  void theNodeStaysHealthyAndARefusedWriteLeavesNoTrace(@ForAll("keys") String ignored) throws Exception {
    assertEquals(Status.Code.INVALID_ARGUMENT, code(client.put(PutRequest.newBuilder().setTopic("kv").setPartition(0)
        .setKey("guard").setValue(ByteString.copyFrom(new byte[300 * 1024])).build())));
    assertEquals(Status.Code.OK, code(client.put(PutRequest.newBuilder().setTopic("kv").setPartition(0)
        .setKey("guard").setValue(ByteString.copyFromUtf8("small")).build())));
    assertEquals("small", client.get(GetRequest.newBuilder().setTopic("kv").setPartition(0).setKey("guard").build())
        .toCompletableFuture().get(20, TimeUnit.SECONDS).getValue().toStringUtf8());
    assertTrue(client.status(StatusRequest.getDefaultInstance()).toCompletableFuture().get(20, TimeUnit.SECONDS)
        .getPartitionsList().stream().allMatch(p -> !p.getLeader().isEmpty()), "every partition still has its leader");
  }
}
