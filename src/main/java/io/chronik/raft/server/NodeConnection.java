package io.chronik.raft.server;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One plaintext gRPC connection from the command line to a node, on plain grpc-java. No
 * ActorSystem: a CLI call then costs a JVM start and a round trip, not the seconds an ActorSystem
 * and akka-grpc's client take to start and stop.
 */
final class NodeConnection implements AutoCloseable {
  private final ManagedChannel channel;
  private final Duration timeout;

  /** @param target host:port (a DNS name, an IPv4 address or a bracketed IPv6 address) */
  NodeConnection(String target, Duration timeout) {
    this.channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    this.timeout = timeout;
  }

  /** One unary call; a failure is the {@link StatusRuntimeException} the server or the channel answered. */
  <Q, R> R call(MethodDescriptor<Q, R> method, Q request) throws InterruptedException {
    CompletableFuture<R> answer = new CompletableFuture<>();
    ClientCall<Q, R> call = channel.newCall(method,
        CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS));
    call.start(new ClientCall.Listener<>() {
      private R response;

      @Override
      public void onMessage(R message) {
        response = message;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        if (status.isOk() && response != null) {
          answer.complete(response);
        } else if (status.isOk()) {
          answer.completeExceptionally(Status.INTERNAL.withDescription("the node sent no response").asRuntimeException());
        } else {
          answer.completeExceptionally(status.asRuntimeException(trailers));
        }
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(request);
    call.halfClose();
    try {
      return answer.get();
    } catch (ExecutionException e) {
      throw (StatusRuntimeException) e.getCause();
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
