package io.chronik.raft.client;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One gRPC connection from the command line to a node (plaintext, or TLS), on plain grpc-java. No
 * ActorSystem: a CLI call then costs a JVM start and a round trip, not the seconds an ActorSystem
 * and akka-grpc's client take to start and stop.
 */
final class NodeConnection implements AutoCloseable {
  private final ManagedChannel channel;
  private final Duration timeout;

  /** @param target host:port (a DNS name, an IPv4 address or a bracketed IPv6 address) */
  NodeConnection(String target, Duration timeout) {
    this(target, timeout, java.util.Optional.empty());
  }

  /** @param tls the CA to trust and, for mutual TLS, this client's key store; empty: plaintext */
  NodeConnection(String target, Duration timeout, java.util.Optional<ClientTls> tls) {
    this.channel = tls.isEmpty() ? ManagedChannelBuilder.forTarget(target).usePlaintext().build()
        : tls.get().channel(target);
    this.timeout = timeout;
  }

  /** One unary call; a failure is the {@link StatusRuntimeException} the server or the channel answered. */
  <Q, R> R call(MethodDescriptor<Q, R> method, Q request) throws InterruptedException {
    CompletableFuture<R> answer = UnaryCall.start(channel, method, request, timeout.toMillis());
    try {
      return answer.get();
    } catch (ExecutionException e) {
      throw (StatusRuntimeException) e.getCause();
    }
  }

  /**
   * One server-streaming call, each message handed to {@code onMessage} as it arrives; returns
   * once the stream ends, or throws the {@link StatusRuntimeException} it ended with.
   */
  <Q, R> void stream(MethodDescriptor<Q, R> method, Q request, java.util.function.Consumer<R> onMessage)
      throws InterruptedException {
    try {
      StreamingCall.start(channel, method, request, onMessage).get();
    } catch (ExecutionException e) {
      throw (StatusRuntimeException) e.getCause();
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
