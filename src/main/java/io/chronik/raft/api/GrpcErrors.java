package io.chronik.raft.api;

import akka.actor.ActorSystem;
import akka.grpc.GrpcServiceException;
import akka.grpc.Trailers;
import akka.http.scaladsl.model.EntityStreamSizeException;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.cluster.RateLimitedLog;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.slf4j.LoggerFactory;

/**
 * How failures outside the service methods become gRPC statuses: a body that is not the method's
 * protobuf message is {@code INVALID_ARGUMENT} saying so, a body over the size limit is
 * {@code RESOURCE_EXHAUSTED} naming the limit. Neither logs a stack trace: each is a rate-limited
 * one-line warning at most, so that bad bytes cost a node nothing (akka-grpc's default logs an
 * ERROR with a full stack trace per request and answers {@code INTERNAL} without a message).
 * Anything unexpected is {@code INTERNAL} with its message, logged (rate-limited) with its trace.
 */
final class GrpcErrors {
  private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
  private final RateLimitedLog badRequests =
      new RateLimitedLog(LoggerFactory.getLogger("io.chronik.raft.api.BadRequests"), LOG_INTERVAL);
  private final org.slf4j.Logger unexpected = LoggerFactory.getLogger(GrpcErrors.class);
  private final RateLimitedLog unexpectedLimit = new RateLimitedLog(unexpected, LOG_INTERVAL);
  private final long maxRequestBytes;

  GrpcErrors(long maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
  }

  /** The handler akka-grpc calls for a failed call, as its generated handler factories take it. */
  akka.japi.Function<ActorSystem, akka.japi.Function<Throwable, Trailers>> handler() {
    return system -> this::trailers;
  }

  Trailers trailers(Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
    if (e instanceof GrpcServiceException g) return new Trailers(g.status(), g.metadata());
    if (e instanceof io.grpc.StatusRuntimeException s) return new Trailers(s.getStatus());
    Throwable cause = e;
    while (cause != null) {
      if (cause instanceof InvalidProtocolBufferException p) {
        badRequests.warn("refused a request whose body is not a valid protobuf message: " + p.getMessage());
        return new Trailers(Status.INVALID_ARGUMENT.withDescription("the request body is not a valid protobuf "
            + "message of this method (" + p.getMessage() + "); check the client's proto files against proto/chronik.proto"));
      }
      if (cause instanceof EntityStreamSizeException || cause instanceof RequestSizeLimit.TooLarge) {
        badRequests.warn("refused a request over " + maxRequestBytes + " bytes");
        return new Trailers(Status.RESOURCE_EXHAUSTED.withDescription("the request is larger than this node accepts ("
            + maxRequestBytes + " bytes: chronik.raft.max-entry-bytes plus framing); split it into smaller requests"));
      }
      cause = cause.getCause();
    }
    if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
      // akka-grpc's own refusals of malformed frames (bad compression flag, truncated frame, ...)
      badRequests.warn("refused a malformed gRPC request: " + e);
      return new Trailers(Status.INVALID_ARGUMENT.withDescription("malformed gRPC request: " + e.getMessage()));
    }
    unexpectedLimit.warn("unexpected failure of a gRPC call: " + e);
    return new Trailers(Status.INTERNAL.withDescription("unexpected failure: " + e));
  }
}
