package io.chronik.raft.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop clients: each has exactly one request in flight and sends the next when the answer
 * arrives, so offered load follows the system's speed (how etcd's and Ratis's benchmarks drive
 * load). Runs a warm-up, then a measured window; only requests that start and end inside the
 * window count. A failed request is counted and retried after 1 ms (no hot loop on a refusing
 * node).
 */
final class ClosedLoop {
  /** Latencies in microseconds of the successful requests of the window. */
  record Measured(long ok, long errors, double seconds, Histogram latencyMicros, String firstError) {
    double perSecond() {
      return ok / seconds;
    }

    double percentileMillis(double p) {
      return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(p) / 1000.0;
    }
  }

  private final int clients;
  private final long warmupNanos;
  private final long measureNanos;

  ClosedLoop(int clients, double warmupSeconds, double measureSeconds) {
    if (clients < 1) throw new IllegalArgumentException("clients must be >= 1, got " + clients);
    this.clients = clients;
    this.warmupNanos = (long) (warmupSeconds * 1e9);
    this.measureNanos = (long) (measureSeconds * 1e9);
  }

  /**
   * @param request sends one request of client {@code i}
   * @param atWindowStart runs when the measured window opens (e.g. a metrics scrape)
   * @param atWindowEnd runs when it closes
   */
  Measured run(IntFunction<CompletionStage<?>> request, Runnable atWindowStart, Runnable atWindowEnd)
      throws InterruptedException {
    long start = System.nanoTime();
    long windowStart = start + warmupNanos;
    long windowEnd = windowStart + measureNanos;
    Histogram latency = new ConcurrentHistogram(3_600_000_000L, 3);
    LongAdder ok = new LongAdder();
    LongAdder errors = new LongAdder();
    AtomicReference<String> firstError = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(clients);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "closed-loop-timer");
      t.setDaemon(true);
      return t;
    });
    try {
      timer.schedule(atWindowStart, warmupNanos, TimeUnit.NANOSECONDS);
      timer.schedule(atWindowEnd, warmupNanos + measureNanos, TimeUnit.NANOSECONDS);
      for (int i = 0; i < clients; i++) {
        new Client(i, request, windowStart, windowEnd, latency, ok, errors, firstError, done, timer).next();
      }
      if (!done.await(warmupNanos + measureNanos + TimeUnit.SECONDS.toNanos(60), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException("requests still unanswered 60 s after the measured window closed");
      }
    } finally {
      timer.shutdown();
      timer.awaitTermination(30, TimeUnit.SECONDS); // the window-end action has run
    }
    return new Measured(ok.sum(), errors.sum(), measureNanos / 1e9, latency, firstError.get());
  }

  private record Client(int id, IntFunction<CompletionStage<?>> request, long windowStart, long windowEnd,
      Histogram latency, LongAdder ok, LongAdder errors, AtomicReference<String> firstError, CountDownLatch done,
      ScheduledExecutorService timer) {

    void next() {
      long sent = System.nanoTime();
      if (sent >= windowEnd) {
        done.countDown();
        return;
      }
      CompletionStage<?> answer;
      try {
        answer = request.apply(id);
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      // On the answering thread: a plain whenComplete on an Akka-made future would hop to the
      // common pool (a new thread per answer where its parallelism is 1).
      answer.whenCompleteAsync((value, error) -> {
        long received = System.nanoTime();
        boolean inWindow = sent >= windowStart && received <= windowEnd;
        if (error == null) {
          if (inWindow) {
            latency.recordValue((received - sent) / 1000);
            ok.increment();
          }
          next();
        } else {
          if (inWindow) errors.increment();
          firstError.compareAndSet(null, String.valueOf(error.getMessage()));
          timer.schedule(this::next, 1, TimeUnit.MILLISECONDS);
        }
      }, Runnable::run);
    }
  }
}
