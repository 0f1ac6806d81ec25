package io.chronik.raft.api;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.chronik.raft.metrics.LatencyTimer;
import io.chronik.raft.metrics.NodeMetrics;
import io.grpc.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * This node's gRPC server as its clients see it ({@code GrpcMetrics.get(system)}):
 * {@code chronik_grpc_server_requests_seconds{node, method, code}}, a Prometheus histogram of each
 * call's duration by method and status code (see {@link LatencyTimer}), and
 * {@code chronik_grpc_server_in_flight{node}}, the calls started and not yet answered. Thread-safe:
 * calls complete on any thread.
 */
public final class GrpcMetrics implements Extension {
  static final String REQUESTS = "chronik.grpc.server.requests";
  static final String IN_FLIGHT = "chronik.grpc.server.in.flight";

  /** One timer per method and code, created on first use: the codes a method returns are few. */
  private record Key(String method, Status.Code code) {}

  private final MeterRegistry registry;
  private final String node;
  private final Map<Key, Timer> timers = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  public static final class Id extends ExtensionId<GrpcMetrics> {
    private static final Id INSTANCE = new Id();

    @Override
    public GrpcMetrics createExtension(ActorSystem<?> system) {
      NodeMetrics metrics = NodeMetrics.get(system);
      return new GrpcMetrics(metrics.registry(), metrics.nodeId());
    }
  }

  /** This node's, recording into {@link NodeMetrics#registry()} (so {@code /metrics} shows it). */
  public static GrpcMetrics get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  public GrpcMetrics(MeterRegistry registry, String node) {
    this.registry = registry;
    this.node = node;
    Gauge.builder(IN_FLIGHT, inFlight, AtomicInteger::get)
        .description("gRPC calls this node started and has not answered yet")
        .tags("node", node).strongReference(true).register(registry);
  }

  /**
   * Runs {@code call} as one request to {@code method} (e.g. "Produce"): in flight until its stage
   * completes, then timed under the status code of its outcome ({@link #codeOf}). Wrap the stage
   * whose failures are already gRPC statuses, so that the code recorded is the code sent. Returns
   * a stage with the same outcome; a call that throws is recorded and the exception rethrown.
   */
  public <T> CompletionStage<T> timed(String method, Supplier<CompletionStage<T>> call) {
    return timed(method, call, GrpcMetrics::codeOf);
  }

  /** As {@link #timed(String, Supplier)}, with the status code of a failure given by {@code codeOf}. */
  public <T> CompletionStage<T> timed(String method, Supplier<CompletionStage<T>> call,
      Function<Throwable, Status.Code> codeOf) {
    long start = System.nanoTime();
    inFlight.incrementAndGet();
    CompletionStage<T> stage;
    try {
      stage = call.get();
    } catch (RuntimeException | Error e) {
      done(method, e, codeOf, start);
      throw e;
    }
    // Not stage.whenComplete(...): that would wrap a failure in a CompletionException. The caller's
    // stage is handed on as it completed, and completes even if codeOf throws.
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenComplete((value, error) -> {
      try {
        done(method, error, codeOf, start);
      } finally {
        if (error == null) out.complete(value);
        else out.completeExceptionally(error);
      }
    });
    return out;
  }

  /** Calls started and not answered yet. */
  public int inFlight() {
    return inFlight.get();
  }

  /** One finished request to {@code method} that ended with {@code code} after {@code nanos}. */
  public void record(String method, Status.Code code, long nanos) {
    timers.computeIfAbsent(new Key(method, code), this::register).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The status code a failure is sent with: that of the first {@code StatusRuntimeException} (an
   * Akka gRPC {@code GrpcServiceException} is one) or {@code StatusException} among its causes,
   * else UNKNOWN.
   */
  public static Status.Code codeOf(Throwable error) {
    return Status.fromThrowable(error).getCode();
  }

  private void done(String method, Throwable error, Function<Throwable, Status.Code> codeOf, long start) {
    inFlight.decrementAndGet();
    record(method, error == null ? Status.Code.OK : codeOf.apply(error), System.nanoTime() - start);
  }

  private Timer register(Key key) {
    return LatencyTimer.builder(REQUESTS)
        .description("gRPC calls this node answered, by method and status code, from arrival to answer")
        .tags("node", node, "method", key.method(), "code", key.code().name())
        .register(registry);
  }
}
