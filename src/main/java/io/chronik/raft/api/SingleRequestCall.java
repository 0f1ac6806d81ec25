package io.chronik.raft.api;

import akka.grpc.javadsl.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;

/**
 * A call that takes exactly one request (unary and server-streaming): the request is handed to
 * {@link #handle} once the client has sent it all, with the call's metadata; a call that ended
 * without one, or whose bytes were not the method's message, is refused here. Runs on the
 * transport's thread until {@code handle} returns (it must not block).
 */
abstract class SingleRequestCall<Q, R> implements ServerCallHandler<Object, R> {
  protected final GrpcErrors errors;

  SingleRequestCall(GrpcErrors errors) {
    this.errors = errors;
  }

  /** Starts answering the call; returns what stops the answer if the client cancels. */
  abstract Runnable handle(ServerCall<Object, R> call, Q request, Metadata metadata);

  @Override
  public final ServerCall.Listener<Object> startCall(ServerCall<Object, R> call, io.grpc.Metadata headers) {
    call.request(2); // so that a second message is seen (grpc-java refuses it)
    return new ServerCall.Listener<>() {
      private Object request;
      private Runnable onCancel = () -> {};

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
        try {
          onCancel = handle(call, (Q) request, new CallMetadata(headers, ClientIdentity.verified(call)));
        } catch (RuntimeException e) {
          errors.fail(call, e);
        }
      }

      @Override
      public void onCancel() {
        onCancel.run();
      }
    };
  }
}
