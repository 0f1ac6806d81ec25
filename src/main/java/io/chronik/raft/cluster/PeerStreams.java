package io.chronik.raft.cluster;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of the replicas' gRPC streams: one long-lived client stream per peer node, to
 * the {@link PeerEndpoint} its hellos name. It never queues without bound: once a stream holds
 * twice {@code buffered} bytes unsent, a message is dropped, as a lost message (Raft retries). While a peer's connection is not up (connecting, refused, its endpoint not known, a
 * handshake failing) {@link #send} answers false and the caller sends over Artery, so a node is
 * never cut off by this transport alone; a node that restarts on another port is found again
 * through its hellos.
 */
final class PeerStreams {
  private static final Logger log = LoggerFactory.getLogger(PeerStreams.class);

  /** A connection quiet this long is pinged (gRPC's floor for a client). */
  static final Duration KEEP_ALIVE = Duration.ofSeconds(10);
  /**
   * A ping unanswered, or data unacknowledged by the peer's kernel (TCP_USER_TIMEOUT, which gRPC
   * sets to this), this long closes the connection: a link cut without a reset stops taking
   * messages within this time rather than TCP's minutes, and the messages go over Artery until a
   * new connection is up.
   */
  static final Duration KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(2);
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
  private final RateLimitedLog fallbacks = new RateLimitedLog(log, Duration.ofSeconds(30));
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

  /** Sends {@code message} on {@code node}'s stream. */
  Outcome send(String node, NodeHost.FromPeer message) {
    if (closed) return Outcome.NOT_CONNECTED;
    Optional<String> address = directory.peerAddress(node);
    if (address.isEmpty()) return Outcome.NOT_CONNECTED;
    Stream stream = streams.get(node);
    if (stream == null || !stream.address.equals(address.get())) stream = replace(node, stream, address.get());
    byte[] bytes = serializer.toBinary(message);
    if (bytes.length > maxMessageBytes) return Outcome.NOT_CONNECTED;
    return stream.send(bytes);
  }

  private Stream replace(String node, Stream old, String address) {
    Stream fresh = new Stream(node, address, channel(address));
    if (old == null ? streams.putIfAbsent(node, fresh) == null : streams.replace(node, old, fresh)) {
      if (old != null) old.channel.shutdownNow();
      if (closed) fresh.channel.shutdownNow();
      return fresh;
    }
    fresh.channel.shutdownNow();
    return streams.get(node);
  }

  private ManagedChannel channel(String address) {
    int colon = address.lastIndexOf(':');
    NettyChannelBuilder builder = NettyChannelBuilder
        .forAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))
        .directExecutor()
        .keepAliveTime(KEEP_ALIVE.toSeconds(), TimeUnit.SECONDS)
        .keepAliveTimeout(KEEP_ALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveWithoutCalls(true);
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
    private long lastReconnect = System.nanoTime() - RECONNECT_NANOS;

    Stream(String node, String address, ManagedChannel channel) {
      this.node = node;
      this.address = address;
      this.channel = channel;
    }

    synchronized Outcome send(byte[] bytes) {
      ConnectivityState state = channel.getState(true);
      if (state != ConnectivityState.READY) {
        long now = System.nanoTime();
        if (state == ConnectivityState.TRANSIENT_FAILURE && now - lastReconnect >= RECONNECT_NANOS) {
          lastReconnect = now;
          channel.resetConnectBackoff();
        }
        if (state == ConnectivityState.TRANSIENT_FAILURE) fallbacks.warn(selfNode + ": replica messages to " + node + " go over Artery while its peer stream at "
            + address + " is " + state.name().toLowerCase() + " (this is expected while it starts or is down; if it "
            + "persists, check that chronik.cluster.peer-port is reachable" + (tls.isPresent() ? " and that its "
            + "certificate names the address" : "") + ")");
        return Outcome.NOT_CONNECTED;
      }
      if (call == null) start();
      if (call.isReady()) {
        unready = 0;
      } else if (unready + bytes.length > buffered) {
        return Outcome.DROPPED;
      } else {
        unready += bytes.length;
      }
      call.sendMessage(bytes);
      return Outcome.SENT;
    }

    private void start() {
      ClientCall<byte[], byte[]> started = channel.newCall(PeerWire.DELIVER,
          CallOptions.DEFAULT.withOnReadyThreshold(buffered));
      call = started;
      unready = 0;
      started.start(new ClientCall.Listener<>() {
        @Override
        public void onClose(Status status, Metadata trailers) {
          ended(started, status);
        }
      }, new Metadata());
    }

    private synchronized void ended(ClientCall<byte[], byte[]> ended, Status status) {
      if (call == ended) call = null;
      if (!status.isOk() && !closed) {
        log.debug("{}: peer stream to {} at {} ended: {}", selfNode, node, address, status);
      }
    }
  }
}
