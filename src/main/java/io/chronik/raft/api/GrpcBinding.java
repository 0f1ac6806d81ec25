package io.chronik.raft.api;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import io.grpc.Server;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** A bound gRPC endpoint of this node (see {@link GrpcServer#bind}). */
public final class GrpcBinding {
  /**
   * How long a stopping node lets the calls in flight finish: inside the 5 s that coordinated
   * shutdown gives the phase (akka.coordinated-shutdown.default-phase-timeout).
   */
  static final Duration GRACE = Duration.ofSeconds(4);
  private final Server server;

  GrpcBinding(Server server) {
    this.server = server;
  }

  /** The address it listens on (with the port the system chose, where 0 was asked for). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) server.getListenSockets().get(0);
  }

  /**
   * Stops with the actor system, after the leaderships are handed over: no new connections or
   * calls once services unbind, the calls in flight finish while requests are done (at most
   * {@link #GRACE}; a health watch never does), and what is left ends when services stop.
   */
  void stopWith(CoordinatedShutdown shutdown) {
    String name = "grpc-" + localAddress().getPort();
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), name + "-unbind", () -> {
      server.shutdown();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), name + "-requests-done", this::awaitCalls);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), name + "-stop", () -> {
      server.shutdownNow();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
  }

  /** Waits on a thread of its own: the shared pools run the very calls being waited for. */
  private CompletionStage<Done> awaitCalls() {
    CompletableFuture<Done> done = new CompletableFuture<>();
    Thread waiter = new Thread(() -> {
      try {
        server.awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      done.complete(Done.getInstance());
    }, "chronik-grpc-drain");
    waiter.setDaemon(true);
    waiter.start();
    return done;
  }
}
