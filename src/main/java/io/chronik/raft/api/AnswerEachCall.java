package io.chronik.raft.api;

import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.function.Function;

/**
 * A bidirectional stream whose every request gets one response at once (server reflection),
 * answered on the transport's thread as each request arrives. The next request is read only
 * while the client takes the answers (HTTP/2 flow control): a client that sends without reading
 * cannot make the node queue answers without end.
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
      /** A request was answered while the client was not reading: the next is asked for in onReady. */
      private boolean waitingForReader;

      @Override
      @SuppressWarnings("unchecked")
      public void onMessage(Object message) {
        if (closed) return;
        try {
          if (message instanceof Throwable badBody) {
            closed = true;
            errors.refuseBody(call, badBody);
            return;
          }
          if (!headersSent) {
            call.sendHeaders(new io.grpc.Metadata());
            headersSent = true;
          }
          call.sendMessage(handler.apply((Q) message));
        } catch (RuntimeException e) {
          closed = true;
          errors.fail(call, e);
          return;
        }
        if (call.isReady()) {
          call.request(1);
        } else {
          waitingForReader = true;
        }
      }

      @Override
      public void onReady() {
        if (waitingForReader && !closed) {
          waitingForReader = false;
          call.request(1);
        }
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
