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
import io.grpc.Status;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * A server-streaming call: one request, then every element of the handler's {@link Source} as a
 * response, and the call closed when the source completes (or with the status of its failure).
 * A client that cancels stops the source. The streams served this way (node changes' progress,
 * health watches) send a few small messages, so they are not held back by HTTP/2 flow control.
 */
final class SourceCall<Q, R> extends SingleRequestCall<Q, R> {
  private final BiFunction<Q, Metadata, Source<R, NotUsed>> handler;
  private final Materializer materializer;

  SourceCall(BiFunction<Q, Metadata, Source<R, NotUsed>> handler, GrpcErrors errors, Materializer materializer) {
    super(errors);
    this.handler = handler;
    this.materializer = materializer;
  }

  @Override
  Runnable handle(ServerCall<Object, R> call, Q request, Metadata metadata) {
    Source<R, NotUsed> responses = handler.apply(request, metadata);
    call.sendHeaders(new io.grpc.Metadata());
    Pair<UniqueKillSwitch, CompletionStage<Done>> run = responses.viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(r -> {
          if (!call.isCancelled()) call.sendMessage(r);
        }), Keep.both())
        .run(materializer);
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
    return run.first()::shutdown;
  }
}
