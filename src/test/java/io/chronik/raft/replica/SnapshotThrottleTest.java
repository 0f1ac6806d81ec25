package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SnapshotThrottleTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong clock = new AtomicLong(5 * SECOND);

  @Test
  void chunksTakenAsFastAsPossibleAddUpToTheRate() {
    SnapshotThrottle t = new SnapshotThrottle(1_000_000, 64 * 1024, clock::get);
    long sent = 0;
    long start = clock.get();
    // A sender that takes a chunk whenever it may, waiting exactly as long as it is told.
    while (clock.get() - start < 10 * SECOND) {
      long wait = t.tryTake(64 * 1024);
      if (wait == 0) {
        sent += 64 * 1024;
      } else {
        clock.addAndGet(wait);
      }
    }
    double rate = sent / 10.0;
    assertTrue(rate <= 1_000_000 * 1.02 && rate >= 1_000_000 * 0.9, "bytes per second over 10 s: " + rate);
  }

  @Test
  void theWaitIsUntilTheBucketHoldsTheChunk() {
    SnapshotThrottle t = new SnapshotThrottle(1_000_000, 100_000, clock::get);
    assertEquals(0, t.tryTake(100_000), "a full bucket holds a chunk (capacity: at least one chunk)");
    long wait = t.tryTake(50_000);
    assertEquals(50_000_000, wait, 1, "50 KB at 1 MB/s: 50 ms");
    clock.addAndGet(wait - 1_000_000);
    assertTrue(t.tryTake(50_000) > 0, "one millisecond early");
    clock.addAndGet(1_000_000);
    assertEquals(0, t.tryTake(50_000));
  }

  @Test
  void aChunkLargerThanTheBucketStillGoes() {
    SnapshotThrottle t = new SnapshotThrottle(10, 1000, clock::get); // capacity 1000 bytes
    assertEquals(0, t.tryTake(5000), "taken as a whole bucket, never stuck");
    assertEquals(100 * SECOND, t.tryTake(5000), "then a whole bucket's refill at 10 B/s");
  }

  @Test
  void zeroIsUnlimitedAndANegativeRateIsRefused() {
    SnapshotThrottle t = new SnapshotThrottle(0, 1000, clock::get);
    for (int i = 0; i < 1000; i++) assertEquals(0, t.tryTake(1 << 20));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SnapshotThrottle(-1, 1000, clock::get));
    assertTrue(e.getMessage().contains("chronik.raft.snapshot.max-send-rate"), e.getMessage());
  }
}
