package io.chronik.raft.api;

import akka.Done;
import akka.NotUsed;
import akka.grpc.javadsl.Metadata;
import akka.japi.Pair;
import akka.stream.KillSwitches;
import akka.stream.Materializer;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * A server-streaming call: one request, then every element of the handler's {@link Source} as a
 * response, and the call closed when the source completes (or with the status of its failure).
 * A client that cancels stops the source. The streams served this way (node changes' progress,
 * health watches) send a few small messages, so they are not held back by HTTP/2 flow control.
 */
final class SourceCall<Q, R> implements ServerCallHandler<Object, R> {
  private final BiFunction<Q, Metadata, Source<R, NotUsed>> handler;
  private final GrpcErrors errors;
  private final Materializer materializer;

  SourceCall(BiFunction<Q, Metadata, Source<R, NotUsed>> handler, GrpcErrors errors, Materializer materializer) {
    this.handler = handler;
    this.errors = errors;
    this.materializer = materializer;
  }

  @Override
  public ServerCall.Listener<Object> startCall(ServerCall<Object, R> call, io.grpc.Metadata headers) {
    call.request(2); // so that a second message is seen (grpc-java refuses it)
    return new ServerCall.Listener<>() {
      private Object request;
      private UniqueKillSwitch running;

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
        Source<R, NotUsed> responses;
        try {
          responses = handler.apply((Q) request, new CallMetadata(headers, ClientIdentity.verified(call)));
        } catch (RuntimeException e) {
          errors.fail(call, e);
          return;
        }
        Pair<UniqueKillSwitch, CompletionStage<Done>> run;
        try {
          call.sendHeaders(new io.grpc.Metadata());
          run = responses.viaMat(KillSwitches.single(), Keep.right())
              .toMat(Sink.foreach(r -> {
                if (!call.isCancelled()) call.sendMessage(r);
              }), Keep.both())
              .run(materializer);
        } catch (RuntimeException e) {
          errors.fail(call, e);
          return;
        }
        running = run.first();
        run.second().whenComplete((done, failure) -> {
          try {
            if (failure != null) {
              errors.fail(call, failure);
            } else {
              errors.close(call, Status.OK);
            }
          } catch (RuntimeException e) {
            errors.fail(call, e); // never leave the caller waiting
          }
        });
      }

      @Override
      public void onCancel() {
        if (running != null) running.shutdown();
      }
    };
  }
}
