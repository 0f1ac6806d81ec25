package io.chronik.raft.api;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.RequestEntity;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Requests over the limit are refused without being buffered: the body's bytes pass to the decoder
 * until the limit, the rest is read and dropped, and the body then fails ({@link TooLarge}, answered
 * {@code RESOURCE_EXHAUSTED}). Reading the rest instead of cancelling the stream matters: a
 * cancelled request stream makes akka-http reset it (RST_STREAM), which clients see as
 * {@code CANCELLED} before the answer, and some (akka-grpc's own) wait on such a stream forever.
 * Bodies of one HTTP/2 frame arrive whole (strict) and are small; they pass untouched.
 */
final class RequestSizeLimit {
  /** A body over the limit. */
  static final class TooLarge extends RuntimeException {
    TooLarge(long limit) {
      super("the request is over " + limit + " bytes");
    }
  }

  private RequestSizeLimit() {}

  static HttpRequest apply(HttpRequest request, long limit) {
    RequestEntity entity = request.entity();
    if (entity.isStrict()) return request;
    // Our limit replaces akka-http's own (max-content-length), which would cancel the stream.
    return request.withEntity(akka.http.javadsl.model.HttpEntities.createChunked(entity.getContentType(),
        entity.withSizeLimit(Long.MAX_VALUE).getDataBytes().via(limiter(limit))));
  }

  private static Flow<ByteString, ByteString, akka.NotUsed> limiter(long limit) {
    AtomicBoolean over = new AtomicBoolean();
    return Flow.<ByteString>create()
        .statefulMapConcat(() -> {
          long[] seen = {0};
          return bytes -> {
            seen[0] += bytes.size();
            if (seen[0] <= limit) return List.of(bytes);
            over.set(true);
            return List.of();
          };
        })
        // concatLazy: the tail is looked at once the body ended (concat would ask it at the start)
        .concatLazy(Source.lazySource(() -> over.get() ? Source.<ByteString>failed(new TooLarge(limit)) : Source.<ByteString>empty()));
  }
}
