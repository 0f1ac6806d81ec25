package io.chronik.raft.api;

import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.function.Function;

/**
 * A bidirectional stream whose every request gets one response at once (server reflection):
 * answered on the transport's thread as each request arrives, the next one read after.
 */
final class AnswerEachCall<Q, R> implements ServerCallHandler<Object, R> {
  private final Function<Q, R> handler;
  private final GrpcErrors errors;

  AnswerEachCall(Function<Q, R> handler, GrpcErrors errors) {
    this.handler = handler;
    this.errors = errors;
  }

  @Override
  public ServerCall.Listener<Object> startCall(ServerCall<Object, R> call, io.grpc.Metadata headers) {
    call.request(1);
    return new ServerCall.Listener<>() {
      private boolean headersSent;
      private boolean closed;

      @Override
      @SuppressWarnings("unchecked")
      public void onMessage(Object message) {
        if (closed) return;
        if (message instanceof Throwable badBody) {
          closed = true;
          errors.fail(call, badBody);
          return;
        }
        if (!headersSent) {
          call.sendHeaders(new io.grpc.Metadata());
          headersSent = true;
        }
        call.sendMessage(handler.apply((Q) message));
        call.request(1);
      }

      @Override
      public void onHalfClose() {
        if (closed) return;
        closed = true;
        errors.close(call, Status.OK);
      }
    };
  }
}
