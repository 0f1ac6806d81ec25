package io.chronik.raft.replica;

import java.util.function.LongSupplier;

/**
 * The node's budget for sending snapshots (a token bucket in bytes, shared by every leader on the
 * node), so that the snapshots of replicas being added or caught up do not crowd out the
 * replication and client traffic of the partitions they join ({@code
 * chronik.raft.snapshot.max-send-rate}). A leader takes a chunk's bytes before it sends the
 * chunk; when the bucket is short, it is told how long to wait and sends then. The bucket holds at
 * most a tenth of a second's budget, and never less than one chunk, so a transfer can always go
 * on. Thread-safe: the leaders of a node run on different threads.
 */
public final class SnapshotThrottle {
  /** No limit: every chunk goes at once. */
  public static final SnapshotThrottle UNLIMITED = new SnapshotThrottle(0, 1, System::nanoTime);

  private final long bytesPerSecond;
  private final double capacity;
  private final LongSupplier clock;
  private double tokens;
  private long refilledAt;

  /**
   * @param bytesPerSecond the budget; 0: unlimited
   * @param chunkBytes the largest chunk taken at once (the bucket holds at least that)
   * @param clock nanoseconds, as {@link System#nanoTime()}
   */
  public SnapshotThrottle(long bytesPerSecond, int chunkBytes, LongSupplier clock) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("chronik.raft.snapshot.max-send-rate must be >= 0 (0: unlimited), got "
          + bytesPerSecond);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.capacity = Math.max(chunkBytes, bytesPerSecond / 10.0);
    this.clock = clock;
    this.tokens = capacity;
    this.refilledAt = clock.getAsLong();
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  /**
   * Takes {@code bytes} from the budget and returns 0, or, when the budget is short, takes nothing
   * and returns the nanoseconds until it holds them.
   */
  public synchronized long tryTake(long bytes) {
    if (bytesPerSecond == 0) return 0;
    long now = clock.getAsLong();
    tokens = Math.min(capacity, tokens + (now - refilledAt) * bytesPerSecond / 1e9);
    refilledAt = now;
    double want = Math.min(bytes, capacity);
    if (tokens >= want) {
      tokens -= want;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((want - tokens) * 1e9 / bytesPerSecond));
  }
}
