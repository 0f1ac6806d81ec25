package io.chronik.raft.cluster;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of the replicas' gRPC streams: one long-lived client stream per peer node, to
 * the {@link PeerEndpoint} its hellos name. It never queues without bound: once a stream holds
 * twice {@code buffered} bytes unsent, a message is dropped, as a lost message (Raft retries).
 * While a peer's connection is not up (connecting, refused, its endpoint not known, a handshake
 * failing) {@link #send} answers {@link Outcome#NOT_CONNECTED} and the caller sends over Artery,
 * so a node is never cut off by this transport alone; a node that restarts on another port is
 * found again through its hellos.
 */
final class PeerStreams {
  private static final Logger log = LoggerFactory.getLogger(PeerStreams.class);

  /** A connection that has read nothing this long is pinged (gRPC's floor for a client). */
  static final Duration KEEP_ALIVE = Duration.ofSeconds(10);
  /**
   * A ping unanswered this long closes the connection, and so does data the peer's kernel has not
   * acknowledged this long (gRPC sets TCP_USER_TIMEOUT to it on Linux, where Netty runs on epoll):
   * a link cut without a reset stops taking messages within this time under traffic (the ping's
   * 10 s more when idle) instead of TCP's minutes, and they go over Artery until a new connection
   * is up. Long enough for a burst of retransmissions on a lossy link.
   */
  static final Duration KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(5);
  /** A connection attempt unanswered this long fails (a cut link drops SYNs; the next try follows within a second). */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
  /** At most this often a failed connection is tried again ahead of gRPC's backoff, while there is traffic. */
  private static final long RECONNECT_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** What became of one message. */
  enum Outcome { SENT, DROPPED, NOT_CONNECTED }

  private final String selfNode;
  private final PeerDirectory directory;
  private final RaftMessageSerializer serializer;
  private final Optional<PeerTls> tls;
  private final int maxMessageBytes;
  private final int buffered;
  private final Map<String, Stream> streams = new ConcurrentHashMap<>();
  private final RateLimitedLog problems = new RateLimitedLog(log, Duration.ofSeconds(30));
  private volatile boolean closed;

  /**
   * @param maxMessageBytes the largest message a peer's endpoint takes; a larger one is left to
   *     Artery (whose frame is the same size: it drops it with its own error)
   * @param buffered bytes a stream may hold unsent before messages to its peer are dropped
   */
  PeerStreams(String selfNode, PeerDirectory directory, RaftMessageSerializer serializer, Optional<PeerTls> tls,
      int maxMessageBytes, int buffered) {
    this.selfNode = selfNode;
    this.directory = directory;
    this.serializer = serializer;
    this.tls = tls;
    this.maxMessageBytes = maxMessageBytes;
    this.buffered = buffered;
  }

  /**
   * The streams of node {@code selfNode}, closed with {@code system} (at coordinated shutdown,
   * after the leaderships are handed over, or when it terminates without one). A stream may hold
   * 8 frames unsent before gRPC says it is not ready.
   */
  static PeerStreams start(String selfNode, PeerDirectory directory, RaftMessageSerializer serializer,
      Optional<PeerTls> tls, int maxMessageBytes, akka.actor.ActorSystem system) {
    PeerStreams streams = new PeerStreams(selfNode, directory, serializer, tls, maxMessageBytes, 8 * maxMessageBytes);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "chronik-peer-streams-close", () -> {
          streams.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    system.registerOnTermination(streams::close);
    return streams;
  }

  /** Sends {@code message} on {@code node}'s stream. */
  Outcome send(String node, NodeHost.FromPeer message) {
    if (closed) return Outcome.NOT_CONNECTED;
    Optional<String> address = directory.peerAddress(node);
    Stream stream = streams.get(node);
    if (address.isEmpty()) {
      // It restarted without a peer endpoint (peer-transport = artery): nothing to keep open.
      if (stream != null && streams.remove(node, stream)) stream.channel.shutdownNow();
      return Outcome.NOT_CONNECTED;
    }
    if (stream == null || !stream.address.equals(address.get())) stream = replace(node, stream, address.get());
    return stream.send(message);
  }

  private Stream replace(String node, Stream old, String address) {
    Stream fresh = new Stream(node, address, channel(address));
    if (old == null ? streams.putIfAbsent(node, fresh) == null : streams.replace(node, old, fresh)) {
      if (old != null) old.channel.shutdownNow();
      if (closed) fresh.channel.shutdownNow();
      return fresh;
    }
    fresh.channel.shutdownNow();
    Stream current = streams.get(node);
    return current != null ? current : replace(node, null, address);
  }

  private ManagedChannel channel(String address) {
    int colon = address.lastIndexOf(':');
    NettyChannelBuilder builder = NettyChannelBuilder
        .forAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))
        .directExecutor()
        // Raft resends what is lost; gRPC's replay buffer would only hold messages twice.
        .disableRetry()
        .keepAliveTime(KEEP_ALIVE.toSeconds(), TimeUnit.SECONDS)
        .keepAliveTimeout(KEEP_ALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveWithoutCalls(true)
        // A connection attempt into a cut link gives up soon and is tried again (Artery carries the
        // messages meanwhile), so a healed link is back within seconds, not at TCP's next SYN.
        .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis());
    if (tls.isPresent()) builder.sslContext(tls.get().client());
    else builder.usePlaintext();
    return builder.build();
  }

  /** Closes every stream: the node is stopping. */
  void close() {
    closed = true;
    streams.values().forEach(s -> s.channel.shutdownNow());
  }

  /** One peer's connection and the stream on it (a new one after the last ended). */
  private final class Stream {
    final String node;
    final String address;
    final ManagedChannel channel;
    private ClientCall<byte[], byte[]> call;
    /** Bytes written while the stream was not ready (gRPC buffers them until it is). */
    private long unready;
    private volatile long lastReconnect = System.nanoTime() - RECONNECT_NANOS;

    Stream(String node, String address, ManagedChannel channel) {
      this.node = node;
      this.address = address;
      this.channel = channel;
    }

    Outcome send(NodeHost.FromPeer message) {
      ConnectivityState state = channel.getState(true);
      if (state != ConnectivityState.READY) {
        if (state == ConnectivityState.TRANSIENT_FAILURE) reconnectSoon();
        return Outcome.NOT_CONNECTED;
      }
      byte[] bytes = serializer.toBinary(message);
      if (bytes.length > maxMessageBytes) return Outcome.NOT_CONNECTED;
      synchronized (this) {
        ClientCall<byte[], byte[]> c = call;
        if (c == null) {
          c = start();
          // Ended as it started (the channel shut down meanwhile): let Artery carry this one.
          if (call != c) return Outcome.NOT_CONNECTED;
        }
        if (c.isReady()) {
          unready = 0;
        } else if (unready + bytes.length > buffered) {
          return Outcome.DROPPED;
        } else {
          unready += bytes.length;
        }
        c.sendMessage(bytes);
        return Outcome.SENT;
      }
    }

    private void reconnectSoon() {
      long now = System.nanoTime();
      long last = lastReconnect;
      if (now - last < RECONNECT_NANOS) return;
      lastReconnect = now;
      channel.resetConnectBackoff();
      problems.warn(selfNode + ": replica messages to " + node + " go over Artery: its peer stream at " + address
          + " cannot connect (expected while that node starts or is down; if it persists, check that its "
          + "chronik.cluster.peer-port is reachable from here" + (tls.isPresent() ? " and that its certificate names "
          + address.substring(0, address.lastIndexOf(':')) : "") + ")");
    }

    /** A new stream, outside any caller's gRPC context (a long-lived stream must not inherit its cancellation). */
    private ClientCall<byte[], byte[]> start() {
      ClientCall<byte[], byte[]> started = channel.newCall(PeerWire.DELIVER,
          CallOptions.DEFAULT.withOnReadyThreshold(buffered));
      call = started;
      unready = 0;
      Context previous = Context.ROOT.attach();
      try {
        started.start(new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            ended(started, status);
          }
        }, new Metadata());
      } finally {
        Context.ROOT.detach(previous);
      }
      return started;
    }

    private synchronized void ended(ClientCall<byte[], byte[]> ended, Status status) {
      if (call == ended) call = null;
      if (closed || status.isOk() || status.getCode() == Status.Code.UNAVAILABLE
          || status.getCode() == Status.Code.CANCELLED) {
        log.debug("{}: peer stream to {} at {} ended: {}", selfNode, node, address, status);
      } else {
        problems.warn(selfNode + ": the peer stream to " + node + " at " + address + " ended: " + status
            + " (a new one starts with the next message)");
      }
    }
  }
}
