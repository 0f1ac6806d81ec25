package io.chronik.raft.replica;

import io.chronik.raft.metrics.LatencyTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.EnumMap;
import java.util.concurrent.TimeUnit;

/**
 * How long one replica's reads took, from arrival to answer, per read policy:
 * {@code chronik_read_latency_seconds{node, partition, policy}}, a Prometheus histogram (see
 * {@link LatencyTimer}). Its timers are resolved once, when the replica's node creates it, so that
 * recording on the replica's hot path looks nothing up and allocates nothing; it outlives the
 * replica's restarts, so the histogram keeps counting across them as a Prometheus counter must.
 */
public final class ReadLatency {
  static final String NAME = "chronik.read.latency";

  private final EnumMap<ReadPolicy, Timer> timers = new EnumMap<>(ReadPolicy.class);

  public ReadLatency(MeterRegistry registry, String node, String partition) {
    for (ReadPolicy p : ReadPolicy.values()) {
      timers.put(p, LatencyTimer.builder(NAME)
          .description("Reads this replica answered to its own clients, from arrival to answer")
          .tags("node", node, "partition", partition, "policy", p.configName())
          .register(registry));
    }
  }

  /** For a replica whose latencies nobody exports (tests, in-process tools): records nothing. */
  public static ReadLatency unexported() {
    return new ReadLatency(new CompositeMeterRegistry(), "none", "none");
  }

  void record(ReadPolicy policy, long nanos) {
    timers.get(policy).record(nanos, TimeUnit.NANOSECONDS);
  }
}
