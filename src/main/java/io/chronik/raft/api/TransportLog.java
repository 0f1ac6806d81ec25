package io.chronik.raft.api;

import io.grpc.StatusRuntimeException;
import java.util.logging.Logger;

/**
 * grpc-java's server transport logs a request it refuses while reading it (a body over the size
 * limit, a malformed frame) as a java.util.logging WARNING with a stack trace, once per request,
 * and a connection that fails on bytes that are not HTTP/2 as an INFO with a stack trace: a
 * client could fill a node's log with them. Those records become chronik's rate-limited
 * one-line warning ({@link GrpcErrors#refusedOnArrival}); records without a stack trace pass.
 */
final class TransportLog {
  /** Held here: java.util.logging keeps loggers weakly, and a collected one would lose its filter. */
  private static final Logger SERVER_STREAM = Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerStream");
  private static final Logger CONNECTIONS =
      Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport.connections");

  private TransportLog() {}

  static void install(GrpcErrors errors) {
    SERVER_STREAM.setFilter(record -> {
      if (record.getThrown() instanceof StatusRuntimeException refused) {
        errors.refusedOnArrival(refused.getStatus());
        return false;
      }
      return true;
    });
    CONNECTIONS.setFilter(record -> {
      if (record.getThrown() == null) return true;
      errors.connectionFailed(record.getThrown());
      return false;
    });
  }
}
