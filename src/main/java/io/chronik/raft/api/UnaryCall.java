package io.chronik.raft.api;

import akka.grpc.javadsl.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * A unary call: one request, handed to the handler once the client has sent it all, one answer.
 * Runs on the transport's thread until the handler returns (the handler must not block); the
 * answer is sent from whichever thread completes it. A call the client cancelled, or whose
 * deadline grpc-java enforced, is answered no more: its result is dropped.
 */
final class UnaryCall<Q, R> implements ServerCallHandler<Object, R> {
  private final BiFunction<Q, Metadata, CompletionStage<R>> handler;
  private final GrpcErrors errors;

  UnaryCall(BiFunction<Q, Metadata, CompletionStage<R>> handler, GrpcErrors errors) {
    this.handler = handler;
    this.errors = errors;
  }

  @Override
  public ServerCall.Listener<Object> startCall(ServerCall<Object, R> call, io.grpc.Metadata headers) {
    call.request(2); // so that a second message is seen (grpc-java refuses it)
    return new ServerCall.Listener<>() {
      private Object request;

      @Override
      public void onMessage(Object message) {
        request = message;
      }

      @Override
      @SuppressWarnings("unchecked")
      public void onHalfClose() {
        if (request == null) {
          errors.close(call, Status.INVALID_ARGUMENT.withDescription("the call ended without a request message"));
          return;
        }
        if (request instanceof Throwable badBody) {
          errors.refuseBody(call, badBody);
          return;
        }
        CompletionStage<R> answer;
        try {
          answer = handler.apply((Q) request, new CallMetadata(headers, ClientIdentity.verified(call)));
        } catch (RuntimeException e) {
          answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, failure) -> {
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
      }
    };
  }

  private static <R> void respond(ServerCall<Object, R> call, R response) {
    if (call.isCancelled()) return; // the client went away, or grpc-java ended it at its deadline
    call.sendHeaders(new io.grpc.Metadata());
    call.sendMessage(response);
    call.close(Status.OK, new io.grpc.Metadata());
  }
}
