package io.chronik.raft.api;

import akka.grpc.GrpcServiceException;
import akka.grpc.javadsl.BytesEntry;
import akka.grpc.javadsl.MetadataEntry;
import akka.grpc.javadsl.StringEntry;
import akka.japi.Pair;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.cluster.RateLimitedLog;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.slf4j.LoggerFactory;

/**
 * How a failed call becomes a gRPC status and trailers: a service's {@link GrpcServiceException}
 * or {@link StatusRuntimeException} as it says, a body that is not the method's protobuf message
 * {@code INVALID_ARGUMENT} saying so (a rate-limited one-line warning at most, so that bad bytes
 * cost a node nothing). Anything unexpected is {@code INTERNAL} with its message, logged
 * (rate-limited). A body over the size limit never reaches a call: grpc-java's server refuses it
 * with {@code RESOURCE_EXHAUSTED} as it arrives ({@link GrpcServer}).
 */
final class GrpcErrors {
  private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
  private final RateLimitedLog badRequests =
      new RateLimitedLog(LoggerFactory.getLogger("io.chronik.raft.api.BadRequests"), LOG_INTERVAL);
  private final RateLimitedLog unexpected = new RateLimitedLog(LoggerFactory.getLogger(GrpcErrors.class), LOG_INTERVAL);

  /** A request grpc-java's server refused while reading it (answered with this status already). */
  void refusedOnArrival(Status status) {
    badRequests.warn("refused a request as it arrived: " + status.getCode() + " " + status.getDescription());
  }

  /** A client connection that grpc-java's server closed on an error (bytes that are not HTTP/2, a reset). */
  void connectionFailed(Throwable cause) {
    badRequests.warn("closed a gRPC connection that failed: " + cause);
  }

  /** A failed call's answer. */
  record Failure(Status status, Metadata trailers) {}

  /** Ends the call with the failure's status, unless it is over already. */
  void fail(ServerCall<?, ?> call, Throwable error) {
    Failure f = failure(error);
    close(call, f.status(), f.trailers());
  }

  /**
   * Ends a call whose request could not be read: bytes that are not the method's message, or a
   * compressed body that grpc-java refused as it inflated past the size limit.
   */
  void refuseBody(ServerCall<?, ?> call, Throwable unreadable) {
    if (unreadable instanceof StatusRuntimeException refused) {
      refusedOnArrival(refused.getStatus());
      close(call, refused.getStatus());
    } else {
      fail(call, unreadable);
    }
  }

  /** Ends the call with this status, unless it is over already. */
  void close(ServerCall<?, ?> call, Status status) {
    close(call, status, new Metadata());
  }

  private void close(ServerCall<?, ?> call, Status status, Metadata trailers) {
    if (call.isCancelled()) return; // the client went away, or grpc-java ended it at its deadline
    try {
      call.close(status, trailers);
    } catch (IllegalStateException alreadyClosed) {
      unexpected.warn("a gRPC call was answered twice (" + status + "): " + alreadyClosed.getMessage());
    }
  }

  Failure failure(Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
    if (e instanceof GrpcServiceException g) return new Failure(g.getStatus(), trailers(g.getMetadata()));
    if (e instanceof StatusRuntimeException s) {
      Metadata trailers = new Metadata(); // a copy: close() adds to it, and one exception may fail many calls
      if (s.getTrailers() != null) trailers.merge(s.getTrailers());
      return new Failure(s.getStatus(), trailers);
    }
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof InvalidProtocolBufferException p) {
        badRequests.warn("refused a request whose body is not a valid protobuf message: " + p.getMessage());
        return new Failure(Status.INVALID_ARGUMENT.withDescription("the request body is not a valid protobuf "
            + "message of this method (" + p.getMessage() + "); check the client's proto files against proto/chronik.proto"),
            new Metadata());
      }
    }
    if (e instanceof IllegalArgumentException) {
      badRequests.warn("refused a request: " + e.getMessage());
      return new Failure(Status.INVALID_ARGUMENT.withDescription(e.getMessage()), new Metadata());
    }
    unexpected.warn("unexpected failure of a gRPC call: " + e);
    return new Failure(Status.INTERNAL.withDescription("unexpected failure: " + e), new Metadata());
  }

  /** akka-grpc's metadata (what the service methods attach to their errors) as grpc-java's. */
  static Metadata trailers(akka.grpc.javadsl.Metadata metadata) {
    Metadata out = new Metadata();
    for (Pair<String, MetadataEntry> e : metadata.asList()) {
      if (e.second() instanceof StringEntry s) {
        out.put(Metadata.Key.of(e.first(), Metadata.ASCII_STRING_MARSHALLER), s.getValue());
      } else if (e.second() instanceof BytesEntry b) {
        out.put(Metadata.Key.of(e.first(), Metadata.BINARY_BYTE_MARSHALLER), b.getValue().toArray());
      }
    }
    return out;
  }
}
