package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.replica.ReadPolicy;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Replica messages on gRPC streams between nodes of real ActorSystems ({@code
 * chronik.cluster.peer-transport = grpc}, the default): once the streams are up nothing goes over
 * Artery, a node restarted on another port is found again, and bytes that are not replica
 * messages are dropped without harm.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PeerStreamsClusterTest {
  private static final List<String> IDS = List.of("n1", "n2", "n3");
  private static TestCluster cluster;
  private static int round;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(IDS, "[{name = accounts, partitions = 1, replication-factor = 3, state-machine = key-value}]");
    cluster.awaitLeader(0, "accounts-0");
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) cluster.close();
  }

  /** Writes through every node, then reads the value back under {@code safe} through every node. */
  private static void writeAndReadThroughEveryNode() throws Exception {
    round++;
    for (int i = 0; i < IDS.size(); i++) {
      ByteString value = ByteString.copyFromUtf8("round-" + round + "-via-" + IDS.get(i));
      cluster.chronik(i).put("accounts", 0, "k", value).toCompletableFuture().get(20, TimeUnit.SECONDS);
      for (int j = 0; j < IDS.size(); j++) {
        ChronikRaft.KvRead read = cluster.chronik(j).get("accounts", 0, "k", Optional.of(ReadPolicy.SAFE), 0)
            .toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertEquals(value.toStringUtf8(), read.result().getValue().toStringUtf8(),
            "a safe read through " + IDS.get(j) + " after a write through " + IDS.get(i));
      }
    }
  }

  private static long sum(java.util.function.Function<Transport.Stats, java.util.concurrent.atomic.LongAdder> counter) {
    long total = 0;
    for (int i = 0; i < IDS.size(); i++) total += counter.apply(cluster.chronik(i).node().transportStats()).sum();
    return total;
  }

  /** Waits until a whole round of writes and safe reads sends every replica message on the streams. */
  private static void awaitARoundWithoutArtery(String why) {
    TestProbe<Object> probe = cluster.kit(0).createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
      long arteryBefore = sum(s -> s.overArtery);
      long streamedBefore = sum(s -> s.streamed);
      try {
        writeAndReadThroughEveryNode();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      assertEquals(0, sum(s -> s.overArtery) - arteryBefore, why + ": replica messages still went over Artery");
      assertTrue(sum(s -> s.streamed) - streamedBefore > 0, why + ": nothing went on the streams");
      return null;
    });
    assertEquals(0, sum(s -> s.streamDropped), "no message dropped for a full stream buffer");
  }

  @Test
  @Order(1)
  void onceTheStreamsAreUpEveryReplicaMessageTravelsOnThem() {
    for (int i = 0; i < IDS.size(); i++) {
      for (String other : IDS) {
        assertTrue(cluster.chronik(i).node().peerAddress(other).isPresent(), IDS.get(i) + " knows " + other
            + "'s peer endpoint");
      }
    }
    awaitARoundWithoutArtery("three fresh nodes");
  }

  @Test
  @Order(2)
  void aNodeRestartedOnAnotherPortIsFoundAgain() throws Exception {
    cluster.stop(2);
    // Its peers send to it over Artery (it is down: the messages are lost there too) and keep serving.
    long arteryBefore = cluster.chronik(0).node().transportStats().overArtery.sum()
        + cluster.chronik(1).node().transportStats().overArtery.sum();
    writeOnly();
    long arteryAfter = cluster.chronik(0).node().transportStats().overArtery.sum()
        + cluster.chronik(1).node().transportStats().overArtery.sum();
    assertTrue(arteryAfter > arteryBefore, "messages to the stopped node went over Artery, not into a dead stream");
    cluster.start(2);
    cluster.awaitAllUp();
    String after = cluster.chronik(2).node().peerAddress("n3").orElseThrow();
    TestProbe<Object> probe = cluster.kit(0).createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(200), () -> {
      assertEquals(Optional.of(after), cluster.chronik(0).node().peerAddress("n3"), "n1 learnt n3's new endpoint");
      assertEquals(Optional.of(after), cluster.chronik(1).node().peerAddress("n3"), "n2 learnt n3's new endpoint");
      return null;
    });
    awaitARoundWithoutArtery("after n3's restart");
  }

  private static void writeOnly() throws Exception {
    for (int i = 0; i < 2; i++) {
      cluster.chronik(i).put("accounts", 0, "while-n3-down", ByteString.copyFromUtf8("x" + i))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(4)
  void aNodeOnArteryServesBesideNodesOnStreams() throws Exception {
    // A rolling change of chronik.cluster.peer-transport: n3 comes back without a peer endpoint.
    cluster.stop(2);
    cluster.start(2, "chronik.cluster.peer-transport = artery");
    cluster.awaitAllUp();
    TestProbe<Object> probe = cluster.kit(0).createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(200), () -> {
      assertEquals(Optional.empty(), cluster.chronik(0).node().peerAddress("n3"), "n1 forgot n3's peer endpoint");
      assertEquals(Optional.empty(), cluster.chronik(1).node().peerAddress("n3"), "n2 forgot n3's peer endpoint");
      return null;
    });
    Transport.Stats n3 = cluster.chronik(2).node().transportStats();
    long n3Artery = n3.overArtery.sum();
    long toN3 = cluster.chronik(0).node().transportStats().overArtery.sum()
        + cluster.chronik(1).node().transportStats().overArtery.sum();
    long streamed = cluster.chronik(0).node().transportStats().streamed.sum()
        + cluster.chronik(1).node().transportStats().streamed.sum();
    writeAndReadThroughEveryNode();
    assertEquals(0, n3.streamed.sum(), "n3 sends on no stream");
    assertTrue(n3.overArtery.sum() > n3Artery, "n3's replica messages went over Artery");
    assertTrue(cluster.chronik(0).node().transportStats().overArtery.sum()
        + cluster.chronik(1).node().transportStats().overArtery.sum() > toN3, "n1 and n2 reach n3 over Artery");
    assertTrue(cluster.chronik(0).node().transportStats().streamed.sum()
        + cluster.chronik(1).node().transportStats().streamed.sum() > streamed, "n1 and n2 still stream to each other");
  }

  @Test
  @Order(3)
  void bytesThatAreNotReplicaMessagesAreDroppedAndTheNodeGoesOn() throws Exception {
    String address = cluster.chronik(0).node().peerAddress("n1").orElseThrow();
    int colon = address.lastIndexOf(':');
    ManagedChannel channel = NettyChannelBuilder.forAddress(address.substring(0, colon),
        Integer.parseInt(address.substring(colon + 1))).usePlaintext().build();
    try {
      // Dropped one by one, as Artery drops what it cannot deserialize; the stream ends as the sender ends it.
      Status junk = PeerCalls.deliver(channel, List.of("not a replica message".getBytes(StandardCharsets.UTF_8),
          new byte[0], new byte[] {(byte) 0xff, 0x01}));
      assertEquals(Status.Code.OK, junk.getCode(), junk.toString());
      // Larger than Artery's frame: refused as it arrives.
      Status oversized = PeerCalls.deliver(channel, List.of(new byte[600 * 1024]));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, oversized.getCode(), oversized.toString());
    } finally {
      channel.shutdownNow();
    }
    try (Socket socket = new Socket(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))) {
      socket.setSoTimeout(15_000);
      byte[] junk = new byte[64 * 1024];
      new java.util.Random(7).nextBytes(junk);
      try {
        OutputStream out = socket.getOutputStream();
        out.write(junk);
        out.flush();
        java.io.InputStream in = socket.getInputStream();
        while (in.read() != -1) {
          // a GOAWAY frame may come first
        }
      } catch (java.net.SocketException reset) {
        // closed while the junk was still arriving: closed all the same
      }
    }
    awaitARoundWithoutArtery("after junk on a stream and a connection of random bytes to n1");
  }
}
