package io.chronik.raft.cluster;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import io.chronik.raft.core.Configuration;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a node takes its peers' replica messages on gRPC streams ({@link PeerStreams} is the
 * sending side): each message is parsed on the connection's Netty thread and told to this node's
 * host actor, as Artery's delivery would, with no stream stages, connection actors or hubs in
 * between. Bytes that are not a replica message (a peer of a newer version, a stranger) are dropped
 * with a rate-limited warning and never reach a replica, as Artery drops a message it cannot
 * deserialize; the stream goes on. A message larger than Artery's frame ends its stream with
 * {@code RESOURCE_EXHAUSTED} as it arrives. With TLS ({@link PeerTls}) only a holder of a
 * certificate of the cluster's CA can open a stream.
 */
public final class PeerEndpoint {
  private static final Logger log = LoggerFactory.getLogger(PeerEndpoint.class);

  private final Server server;
  private final String nodeId;
  private final RaftMessageSerializer serializer;
  private final RateLimitedLog refusals = new RateLimitedLog(log, Duration.ofSeconds(10));
  /** This node's host, once it runs; a message before that is dropped, as a lost one. */
  private volatile ActorRef<NodeHost.Message> host;

  private PeerEndpoint(String nodeId, RaftMessageSerializer serializer, NettyServerBuilder builder)
      throws IOException {
    this.nodeId = nodeId;
    this.serializer = serializer;
    this.server = builder.addService(ServerServiceDefinition.builder(PeerWire.SERVICE)
        .addMethod(PeerWire.DELIVER, this::deliver).build()).build().start();
  }

  /**
   * Binds {@code bindHost:port} (0: any free port) before the node's replicas start, so that a
   * port in use fails the start with nothing running yet; it stops with {@code system}, after the
   * leaderships are handed over and the services are stopped (or when the system terminates
   * without a coordinated shutdown). {@link #deliverTo} names the host once it runs.
   */
  static PeerEndpoint bind(String nodeId, RaftMessageSerializer serializer, String bindHost, int port,
      int maxMessageBytes, Optional<PeerTls> tls, akka.actor.ActorSystem system) {
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(bindHost, port))
        // Parsing a message and telling an actor is all there is to do: no hop to another pool.
        .directExecutor()
        .maxInboundMessageSize(maxMessageBytes)
        // The sending side pings a quiet connection (PeerStreams); a dead one is closed here too.
        .permitKeepAliveTime(PeerStreams.KEEP_ALIVE.toSeconds(), TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .keepAliveTime(PeerStreams.KEEP_ALIVE.toSeconds(), TimeUnit.SECONDS)
        .keepAliveTimeout(PeerStreams.KEEP_ALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    tls.ifPresent(t -> builder.sslContext(t.server()));
    PeerEndpoint endpoint;
    try {
      endpoint = new PeerEndpoint(nodeId, serializer, builder);
    } catch (IOException e) {
      throw new IllegalStateException("cannot take replica messages on " + bindHost + ":" + port + ": " + e.getMessage()
          + "; is another process using the port (chronik.cluster.peer-port; 0 picks a free one)?", e);
    }
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "chronik-peer-endpoint-stop", () -> {
          endpoint.server.shutdownNow();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    system.registerOnTermination(endpoint.server::shutdownNow);
    return endpoint;
  }

  /** From now on, messages go to {@code host}. */
  void deliverTo(ActorRef<NodeHost.Message> host) {
    this.host = host;
  }

  /** The address it listens on (with the port the system chose, where 0 was asked for). */
  InetSocketAddress localAddress() {
    return (InetSocketAddress) server.getListenSockets().get(0);
  }

  private ServerCall.Listener<byte[]> deliver(ServerCall<byte[], byte[]> call, Metadata headers) {
    call.request(1);
    return new ServerCall.Listener<>() {
      private boolean closed;

      @Override
      public void onMessage(byte[] bytes) {
        if (closed) return;
        call.request(1);
        NodeHost.FromPeer message;
        try {
          message = (NodeHost.FromPeer) serializer.fromBinary(bytes, PeerWire.ENVELOPE_MANIFEST);
        } catch (Exception | LinkageError e) {
          refusals.warn(nodeId + ": dropped " + bytes.length + " bytes from " + remote(call) + " on a peer stream: "
              + "they are not a replica message this node knows (" + e + "; a node of another version, or not a "
              + "node)");
          return;
        }
        ActorRef<NodeHost.Message> to = host;
        if (to == null) return;
        if (!message.toMember().isEmpty() && !Configuration.nodeOf(message.toMember()).equals(nodeId)) {
          refusals.warn(nodeId + ": dropping " + message.message().getClass().getSimpleName() + " for "
              + message.toMember() + " from " + message.message().from() + ": it is for another node (the sender's "
              + "address for that node is out of date; it learns the new one from that node's hellos)");
        } else {
          to.tell(message);
        }
      }

      @Override
      public void onHalfClose() {
        if (closed) return;
        closed = true;
        // A client stream ends with exactly one answer: an empty one.
        call.sendHeaders(new Metadata());
        call.sendMessage(new byte[0]);
        call.close(Status.OK, new Metadata());
      }
    };
  }

  private static Object remote(ServerCall<?, ?> call) {
    return call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
  }
}
