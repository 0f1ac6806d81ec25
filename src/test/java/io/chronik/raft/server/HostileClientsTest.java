package io.chronik.raft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.chronik.raft.api.grpc.CompareAndSetRequest;
import io.chronik.raft.api.grpc.DeleteRequest;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.GetRequest;
import io.chronik.raft.api.grpc.PingRequest;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.PutRequest;
import io.chronik.raft.api.grpc.ReadIndexRequest;
import io.chronik.raft.api.grpc.StatusRequest;
import io.chronik.raft.api.grpc.StatusResponse;
import io.chronik.raft.launcher.LocalCluster;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * L5 against a real {@code server} process with a small heap: raw mutated, truncated and random
 * protobuf bodies for every method, bodies far over the size limit, a burst past the admission
 * limit, and bytes that are not HTTP/2 on the gRPC port. Every answer is a documented status, the
 * node stays healthy, its log stays small and free of stack traces, and it never buffers a huge body (four concurrent 64 MiB bodies against a
 * 128 MiB heap).
 */
@Tag("processes")
class HostileClientsTest {
  private static final int MALFORMED = Integer.getInteger("chronik.l5.malformed", 10_000);
  private static final Set<Status.Code> DOCUMENTED = Set.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
      Status.Code.NOT_FOUND, Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.ABORTED,
      Status.Code.FAILED_PRECONDITION, Status.Code.OUT_OF_RANGE, Status.Code.RESOURCE_EXHAUSTED,
      // The node stopped reading a body it could not decode and reset the HTTP/2 stream before the
      // client read its answer: nothing was applied.
      Status.Code.CANCELLED);
  private static final int MAX_IN_FLIGHT = 64;
  /** Calls of the burst past the admission limit (-Dchronik.l5.burst=100000 for the target). */
  private static final int BURST = Integer.getInteger("chronik.l5.burst", 1_000);

  @TempDir static Path dir;
  private static LocalCluster node;
  private static ManagedChannel channel;
  private static ActorTestKit kit;

  /** Bytes in, bytes out: the test decides what goes on the wire. */
  private static final MethodDescriptor.Marshaller<byte[]> RAW = io.chronik.raft.cluster.PeerWire.BYTES;

  private static MethodDescriptor<byte[], byte[]> method(String service, String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
        .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();
  }

  /** Each method with a valid request to mutate. */
  private static final Map<String, Message> VALID = Map.of(
      "Produce", ProduceRequest.newBuilder().setTopic("log").addRecords(ByteString.copyFromUtf8("r")).build(),
      "Fetch", FetchRequest.newBuilder().setTopic("log").setMaxRecords(10).setMaxBytes(1000).build(),
      "Put", PutRequest.newBuilder().setTopic("kv").setKey("k").setValue(ByteString.copyFromUtf8("v")).build(),
      "Get", GetRequest.newBuilder().setTopic("kv").setKey("k").build(),
      "Delete", DeleteRequest.newBuilder().setTopic("kv").setKey("k").build(),
      "CompareAndSet", CompareAndSetRequest.newBuilder().setTopic("kv").setKey("k").setExpectAbsent(true)
          .setNewValue(ByteString.copyFromUtf8("n")).build(),
      "ReadIndex", ReadIndexRequest.newBuilder().setTopic("kv").build(),
      "Status", StatusRequest.getDefaultInstance(),
      "Ping", PingRequest.getDefaultInstance());

  @BeforeAll
  static void start() throws Exception {
    Path config = dir.resolve("application.conf");
    Files.writeString(config, String.join("\n",
        "chronik.topics = [{name = log, partitions = 1, replication-factor = 1, state-machine = record-log},",
        "  {name = kv, partitions = 1, replication-factor = 1, state-machine = key-value}]",
        "chronik.grpc.max-in-flight = " + MAX_IN_FLIGHT));
    int base = 20000 + new Random().nextInt(20000);
    node = new LocalCluster(1, dir.resolve("data"), config, base, base + 100, base + 200, dir.resolve("logs"),
        List.of("-Xmx128m"), false);
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", node.grpcPort(0)).usePlaintext()
        .maxInboundMessageSize(1 << 20).build();
    kit = ActorTestKit.create("hostile-clients");
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(90), Duration.ofMillis(200), () -> {
      StatusResponse s;
      try {
        s = StatusResponse.parseFrom(call("Status", StatusRequest.getDefaultInstance().toByteArray(), 5));
      } catch (StatusRuntimeException | com.google.protobuf.InvalidProtocolBufferException e) {
        throw new AssertionError("the node does not answer yet: " + e);
      }
      assertTrue(s.getPartitionsList().stream().allMatch(p -> !p.getLeader().isEmpty()), "leaders elected: " + s);
      return null;
    });
  }

  @AfterAll
  static void stop() {
    if (kit != null) kit.shutdownTestKit();
    if (channel != null) channel.shutdownNow();
    if (node != null) node.close();
  }

  private static byte[] call(String name, byte[] body, int seconds) {
    return io.chronik.raft.cluster.GrpcCalls.blocking(channel, method("chronik.api.Chronik", name), body, seconds * 1000L);
  }

  private static CompletableFuture<Status.Code> send(String service, String name, byte[] body, long deadlineMs) {
    return answer(service, name, body, deadlineMs).thenApply(Status::getCode);
  }

  /** The call's final status, with its description. */
  private static CompletableFuture<Status> answer(String service, String name, byte[] body, long deadlineMs) {
    return io.chronik.raft.cluster.GrpcCalls.unary(channel, method(service, name), body, deadlineMs)
        .handle((r, e) -> e == null ? Status.OK : Status.fromThrowable(e));
  }

  private static byte[] mutate(byte[] valid, Random r) {
    return switch (r.nextInt(5)) {
      case 0 -> { // random bytes
        byte[] b = new byte[r.nextInt(200)];
        r.nextBytes(b);
        yield b;
      }
      case 1 -> java.util.Arrays.copyOf(valid, valid.length == 0 ? 0 : r.nextInt(valid.length)); // truncated
      case 2 -> { // bits flipped
        byte[] b = valid.clone();
        for (int i = 0, n = 1 + r.nextInt(4); i < n && b.length > 0; i++) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        yield b;
      }
      case 3 -> { // garbage appended
        byte[] tail = new byte[1 + r.nextInt(30)];
        r.nextBytes(tail);
        byte[] b = java.util.Arrays.copyOf(valid, valid.length + tail.length);
        System.arraycopy(tail, 0, b, valid.length, tail.length);
        yield b;
      }
      default -> { // a length prefix claiming far more than follows
        byte[] b = java.util.Arrays.copyOf(valid, valid.length + 6);
        b[valid.length] = 0x1a; // field 3, length-delimited
        b[valid.length + 1] = (byte) 0xff;
        b[valid.length + 2] = (byte) 0xff;
        b[valid.length + 3] = (byte) 0xff;
        b[valid.length + 4] = (byte) 0x7f;
        yield b;
      }
    };
  }

  private static List<String> logLines() throws IOException {
    return Files.readAllLines(dir.resolve("logs").resolve("node-1.log"));
  }

  @Test
  void hostileRequestsGetDocumentedAnswersAndCostTheNodeNeitherMemoryNorLog() throws Exception {
    int logBefore = logLines().size();
    Random r = new Random(42);
    List<String> names = new ArrayList<>(VALID.keySet());
    Map<Status.Code, Integer> codes = new EnumMap<>(Status.Code.class);
    Semaphore window = new Semaphore(32);
    List<CompletableFuture<Status.Code>> answers = new ArrayList<>();
    for (int i = 0; i < MALFORMED; i++) {
      String name = names.get(r.nextInt(names.size()));
      window.acquire();
      CompletableFuture<Status.Code> a = send("chronik.api.Chronik", name, mutate(VALID.get(name).toByteArray(), r), 10_000);
      a.whenComplete((c, e) -> window.release());
      answers.add(a);
    }
    for (CompletableFuture<Status.Code> a : answers) codes.merge(a.get(30, TimeUnit.SECONDS), 1, Integer::sum);
    assertTrue(DOCUMENTED.containsAll(codes.keySet()), "undocumented answers to malformed requests: " + codes);
    assertTrue(codes.getOrDefault(Status.Code.INVALID_ARGUMENT, 0) > MALFORMED / 4, "most are refused: " + codes);
    assertTrue(codes.getOrDefault(Status.Code.CANCELLED, 0) < MALFORMED / 100, "resets stay rare: " + codes);

    // Bodies far over the limit, four at once, against a 128 MiB heap: refused before they are buffered.
    byte[] huge = new byte[64 << 20];
    List<CompletableFuture<Status.Code>> big = new ArrayList<>();
    for (int i = 0; i < 4; i++) big.add(send("chronik.api.Chronik", "Put", huge, 60_000));
    for (CompletableFuture<Status.Code> b : big) {
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, b.get(90, TimeUnit.SECONDS),
          "a 64 MiB body is refused (UNAVAILABLE: the node died buffering it)");
    }
    assertTrue(node.running(0), "the node survived four 64 MiB bodies on a 128 MiB heap");
    huge = null;

    // A burst past the admission limit: reads that wait (an index ahead of the log) fill the node;
    // the rest are refused at once instead of queueing past their deadline.
    StatusResponse st = StatusResponse.parseFrom(call("Status", StatusRequest.getDefaultInstance().toByteArray(), 10));
    long ahead = st.getPartitionsList().stream().flatMap(p -> p.getReplicasList().stream())
        .mapToLong(x -> x.getLastIndex()).max().orElse(0) + 100;
    byte[] waitingRead = GetRequest.newBuilder().setTopic("kv").setKey("k").setMinIndex(ahead).build().toByteArray();
    List<CompletableFuture<Status>> burst = new ArrayList<>();
    for (int i = 0; i < BURST; i++) burst.add(answer("chronik.api.Chronik", "Get", waitingRead, 3_000));
    Map<Status.Code, Integer> burstCodes = new EnumMap<>(Status.Code.class);
    List<String> notAtAdmission = new ArrayList<>();
    for (CompletableFuture<Status> a : burst) {
      Status s = a.get(120, TimeUnit.SECONDS);
      burstCodes.merge(s.getCode(), 1, Integer::sum);
      if (s.getCode() == Status.Code.RESOURCE_EXHAUSTED && (s.getDescription() == null
          || !s.getDescription().contains("(chronik.grpc.max-in-flight); nothing was done"))) {
        notAtAdmission.add(String.valueOf(s.getDescription()));
      }
    }
    assertTrue(DOCUMENTED.containsAll(burstCodes.keySet()), burstCodes.toString());
    System.out.println("l5 burst=" + BURST + " answers=" + burstCodes);
    // Past the limit, a call is refused, not queued: a queued call would have waited behind the
    // admitted reads (each waits for its 3 s deadline) and ended DEADLINE_EXCEEDED, not refused.
    int refused = burstCodes.getOrDefault(Status.Code.RESOURCE_EXHAUSTED, 0);
    int timedOutInClient = burstCodes.getOrDefault(Status.Code.DEADLINE_EXCEEDED, 0);
    assertTrue(refused + timedOutInClient >= BURST - 2 * MAX_IN_FLIGHT && refused >= Math.min(BURST, 1000) - 2 * MAX_IN_FLIGHT,
        "past " + MAX_IN_FLIGHT + " in flight, calls are refused: " + burstCodes);
    // ... and refused at once: by the admission check, which answers before any work is done (a
    // stopwatch from the burst's start measured the client's sending as much as the node).
    assertTrue(notAtAdmission.isEmpty(), "refusals that did not come from the admission limit: " + notAtAdmission);

    // Bytes that are not HTTP/2 on the gRPC port (an HTTP/1.1 request, random bytes): each
    // connection is closed, the node goes on, and its log gets no stack trace for them.
    for (int i = 0; i < 20; i++) {
      byte[] junk = new byte[1 + r.nextInt(300)];
      r.nextBytes(junk);
      if (i == 0) junk = "GET / HTTP/1.1\r\nHost: chronik\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", node.grpcPort(0))) {
        socket.setSoTimeout(5_000);
        socket.getOutputStream().write(junk);
        socket.getOutputStream().flush();
        while (socket.getInputStream().read(new byte[4096]) >= 0) {
          // whatever the node answers, until it closes the connection
        }
      } catch (IOException closedOrTimedOut) {
        // a reset or our timeout: either way the connection is over
      }
    }

    // The node is healthy: it answers, serves, and neither died of its heap nor filled its log.
    assertTrue(node.running(0), "the node process is alive");
    // (Reads admitted at the end of the burst may still hold the admission limit for their deadline.)
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(15), Duration.ofMillis(100), () -> {
      try {
        assertEquals(Status.Code.OK, send("chronik.api.Chronik", "Put", VALID.get("Put").toByteArray(), 10_000)
            .get(15, TimeUnit.SECONDS), "the node serves again once the burst is over");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      return null;
    });
    assertEquals(Status.Code.OK, send("grpc.health.v1.Health", "Check", new byte[0], 10_000).get(15, TimeUnit.SECONDS));
    List<String> log = logLines().subList(logBefore, logLines().size());
    assertTrue(log.size() <= 100, "the node logged " + log.size() + " lines for hostile requests:\n"
        + String.join("\n", log.subList(0, Math.min(40, log.size()))));
    assertFalse(log.stream().anyMatch(l -> l.startsWith("\tat ") || l.contains("OutOfMemoryError")),
        "no stack traces:\n" + String.join("\n", log.subList(0, Math.min(40, log.size()))));
  }
}
