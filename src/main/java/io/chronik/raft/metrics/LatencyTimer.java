package io.chronik.raft.metrics;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The one shape of every latency chronik exports: a Micrometer {@link Timer} published as a
 * Prometheus histogram ({@code <name>_seconds_bucket{le}}, {@code _count}, {@code _sum}). Buckets,
 * unlike percentiles computed on one node, add up: {@code histogram_quantile} over the sum of the
 * buckets of any set of replicas or nodes is a true quantile of them all. Every latency shares the
 * same bucket bounds, so that two of them can be compared and summed.
 */
public final class LatencyTimer {
  /** Below this, a bucket would tell nothing: a hop between actors alone takes tens of microseconds. */
  public static final Duration MIN = Duration.ofNanos(100_000);
  /** Past this, a request has long timed out (request and read-index timeouts are seconds). */
  public static final Duration MAX = Duration.ofSeconds(10);

  private LatencyTimer() {}

  public static Timer.Builder builder(String name) {
    return Timer.builder(name).publishPercentileHistogram().minimumExpectedValue(MIN).maximumExpectedValue(MAX);
  }
}
