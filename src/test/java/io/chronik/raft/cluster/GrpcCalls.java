package io.chronik.raft.cluster;

import io.chronik.raft.client.UnaryCall;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Unary calls on a plain grpc-java channel (the tests bring no stub library). */
public final class GrpcCalls {
  private GrpcCalls() {}

  /** The answer, or a {@link io.grpc.StatusRuntimeException} with the status the call closed with. */
  public static <Q, R> CompletableFuture<R> unary(Channel channel, MethodDescriptor<Q, R> method, Q request,
      long deadlineMs) {
    return UnaryCall.start(channel, method, request, deadlineMs);
  }

  /** {@link #unary} waited for; a failure is thrown as the call's {@link io.grpc.StatusRuntimeException}. */
  public static <Q, R> R blocking(Channel channel, MethodDescriptor<Q, R> method, Q request, long deadlineMs) {
    try {
      return unary(channel, method, request, deadlineMs).get(deadlineMs + 5_000, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
