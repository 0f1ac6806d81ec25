package io.chronik.raft.core;

import java.time.Duration;

/**
 * How long a replica waits before it recovers from its disk after its environment failed (a
 * journal write, or a state machine's I/O, refused by a full or failing disk), and which of those
 * failures are worth a log line.
 *
 * <p>The first failure of an episode waits {@code min}; each further one twice as long, up to
 * {@code max}, so a disk that stays full costs a retry every {@code max} rather than a busy loop.
 * An episode ends when the replica has run for {@code max} without a failure ({@link #healthy}).
 * Logged: the first failure of an episode (with its cause) and every {@value #LOG_EVERY}th after
 * it, so a node whose disk is full for an hour writes a few dozen lines, not one per entry.
 */
public final class FaultBackoff {
  static final int LOG_EVERY = 10;
  private final Duration min;
  private final Duration max;
  private int failures;

  public FaultBackoff(Duration min, Duration max) {
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("backoff must satisfy 0 < min <= max, got " + min + " and " + max);
    }
    this.min = min;
    this.max = max;
  }

  /** One more failure in this episode; returns how long to wait before recovering. */
  public Duration failed() {
    failures++;
    return delay();
  }

  /** The wait after the latest failure: min × 2^(failures - 1), capped at max. */
  public Duration delay() {
    if (failures == 0) return Duration.ZERO;
    int doublings = Math.min(failures - 1, 30);
    Duration d = min.multipliedBy(1L << doublings);
    return d.compareTo(max) > 0 || d.isNegative() ? max : d;
  }

  /** Whether the latest failure deserves a log line: the first of an episode, then every {@value #LOG_EVERY}th. */
  public boolean worthLogging() {
    return failures == 1 || failures % LOG_EVERY == 0;
  }

  /** Failures in the current episode (0: none). */
  public int failures() {
    return failures;
  }

  /** How long a replica must run without a failure for the episode to end. */
  public Duration quietPeriod() {
    return max;
  }

  /** The replica ran {@link #quietPeriod()} without failing: the next failure starts a new episode. */
  public void healthy() {
    failures = 0;
  }
}
