package io.chronik.raft.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One unary gRPC call on a plain grpc-java channel (no stub library needed). */
public final class UnaryCall {
  private UnaryCall() {}

  /** The answer, or a {@link io.grpc.StatusRuntimeException} with the status and trailers the call closed with. */
  public static <Q, R> CompletableFuture<R> start(Channel channel, MethodDescriptor<Q, R> method, Q request,
      long deadlineMs) {
    CompletableFuture<R> answer = new CompletableFuture<>();
    ClientCall<Q, R> call = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS));
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
    return answer;
  }
}
