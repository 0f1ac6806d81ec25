package io.chronik.raft.cluster;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * At most one warning per interval, naming how many were suppressed since the last one: what a
 * misbehaving client sends must not turn into a disk filler on the node.
 */
public final class RateLimitedLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  public RateLimitedLog(Logger log, java.time.Duration interval) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
  }

  /** Logs {@code message} (no stack trace) unless one was logged within the interval. */
  public void warn(String message) {
    long now = System.nanoTime();
    long allowed = nextAllowed.get();
    if ((allowed == Long.MIN_VALUE || now - allowed >= 0) && nextAllowed.compareAndSet(allowed, now + intervalNanos)) {
      long dropped = suppressed.getAndSet(0);
      log.warn(dropped == 0 ? message : message + " (" + dropped + " similar warnings suppressed before this one)");
    } else {
      suppressed.incrementAndGet();
    }
  }
}
