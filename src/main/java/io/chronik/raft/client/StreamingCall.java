package io.chronik.raft.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** One server-streaming gRPC call on a plain grpc-java channel: each message as it arrives. */
final class StreamingCall {
  private StreamingCall() {}

  /**
   * Completes when the node closes the stream: normally, or with a {@link io.grpc.StatusRuntimeException}
   * carrying its status and trailers. No deadline: the node bounds each step of what it streams.
   * {@code onMessage} runs on the channel's thread, one message at a time, in order.
   */
  static <Q, R> CompletableFuture<Void> start(Channel channel, MethodDescriptor<Q, R> method, Q request,
      Consumer<R> onMessage) {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    ClientCall<Q, R> call = channel.newCall(method, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(R message) {
        onMessage.accept(message);
        call.request(1);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        if (status.isOk()) {
          closed.complete(null);
        } else {
          closed.completeExceptionally(status.asRuntimeException(trailers));
        }
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(request);
    call.halfClose();
    return closed;
  }
}
