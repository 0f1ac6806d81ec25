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
 * between. Bytes that are not a replica message end that stream with {@code INVALID_ARGUMENT} and
 * never reach a replica; a message larger than Artery's frame is refused as it arrives. With TLS
 * ({@link PeerTls}) only a holder of a certificate of the cluster's CA can open a stream.
 */
public final class PeerEndpoint {
  private static final Logger log = LoggerFactory.getLogger(PeerEndpoint.class);

  private final Server server;
  private final String nodeId;
  private final ActorRef<NodeHost.Message> host;
  private final RaftMessageSerializer serializer;
  private final RateLimitedLog refusals = new RateLimitedLog(log, Duration.ofSeconds(10));

  private PeerEndpoint(String nodeId, ActorRef<NodeHost.Message> host, RaftMessageSerializer serializer,
      NettyServerBuilder builder) throws IOException {
    this.nodeId = nodeId;
    this.host = host;
    this.serializer = serializer;
    this.server = builder.addService(ServerServiceDefinition.builder(PeerWire.SERVICE)
        .addMethod(PeerWire.DELIVER, this::deliver).build()).build().start();
  }

  /**
   * Binds {@code bindHost:port} (0: any free port) and stops with {@code shutdown}, after the
   * leaderships are handed over and the services are stopped.
   */
  static PeerEndpoint start(String nodeId, ActorRef<NodeHost.Message> host, RaftMessageSerializer serializer,
      String bindHost, int port, int maxMessageBytes, Optional<PeerTls> tls, CoordinatedShutdown shutdown) {
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
      endpoint = new PeerEndpoint(nodeId, host, serializer, builder);
    } catch (IOException e) {
      throw new IllegalStateException("cannot take replica messages on " + bindHost + ":" + port + ": " + e.getMessage()
          + "; is another process using the port (chronik.cluster.peer-port; 0 picks a free one)?", e);
    }
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "chronik-peer-endpoint-stop", () -> {
      endpoint.server.shutdownNow();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    return endpoint;
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
        NodeHost.FromPeer message;
        try {
          message = (NodeHost.FromPeer) serializer.fromBinary(bytes, PeerWire.ENVELOPE_MANIFEST);
        } catch (Exception | LinkageError e) {
          closed = true;
          refusals.warn(nodeId + ": closing a peer stream from " + remote(call) + ": it sent " + bytes.length
              + " bytes that are not a replica message (" + e + ")");
          call.close(Status.INVALID_ARGUMENT.withDescription("not a replica message: " + e.getMessage()), new Metadata());
          return;
        }
        if (!message.toMember().isEmpty() && !Configuration.nodeOf(message.toMember()).equals(nodeId)) {
          refusals.warn(nodeId + ": dropping " + message.message().getClass().getSimpleName() + " for "
              + message.toMember() + " from " + message.message().from() + ": it is for another node (the sender's "
              + "address for that node is out of date; it learns the new one from that node's hellos)");
        } else {
          host.tell(message);
        }
        call.request(1);
      }

      @Override
      public void onHalfClose() {
        if (closed) return;
        closed = true;
        call.sendHeaders(new Metadata());
        call.close(Status.OK, new Metadata());
      }
    };
  }

  private static Object remote(ServerCall<?, ?> call) {
    return call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
  }
}
