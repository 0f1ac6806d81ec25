package io.chronik.raft.api;

import io.grpc.Server;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** A bound gRPC endpoint of this node (see {@link GrpcServer#bind}). */
public final class GrpcBinding {
  private final Server server;

  GrpcBinding(Server server) {
    this.server = server;
  }

  /** The address it listens on (with the port the system chose, where 0 was asked for). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) server.getListenSockets().get(0);
  }

  /**
   * Stops taking connections and calls, lets the calls in flight finish for at most
   * {@code grace}, then ends the rest. Completes once the server has stopped.
   */
  public CompletionStage<Void> unbind(Duration grace) {
    return CompletableFuture.runAsync(() -> {
      server.shutdown();
      try {
        if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        server.shutdownNow();
        Thread.currentThread().interrupt();
      }
    });
  }
}
