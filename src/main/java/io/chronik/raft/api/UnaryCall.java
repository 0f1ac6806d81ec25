package io.chronik.raft.api;

import akka.grpc.javadsl.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * A unary call: one request, one answer, sent from whichever thread completes the handler's
 * future. A call the client cancelled, or whose deadline grpc-java enforced, is answered no more:
 * its result is dropped.
 */
final class UnaryCall<Q, R> extends SingleRequestCall<Q, R> {
  private final BiFunction<Q, Metadata, CompletionStage<R>> handler;

  UnaryCall(BiFunction<Q, Metadata, CompletionStage<R>> handler, GrpcErrors errors) {
    super(errors);
    this.handler = handler;
  }

  @Override
  Runnable handle(ServerCall<Object, R> call, Q request, Metadata metadata) {
    handler.apply(request, metadata).whenComplete((response, failure) -> {
      try {
        if (failure != null) {
          errors.fail(call, failure);
        } else {
          respond(call, response);
        }
      } catch (RuntimeException e) {
        errors.fail(call, e); // never leave the caller waiting for its deadline
      }
    });
    return () -> {}; // the replica's work is not interrupted: its answer is dropped
  }

  private static <R> void respond(ServerCall<Object, R> call, R response) {
    if (call.isCancelled()) return; // the client went away, or grpc-java ended it at its deadline
    call.sendHeaders(new io.grpc.Metadata());
    call.sendMessage(response);
    call.close(Status.OK, new io.grpc.Metadata());
  }
}
