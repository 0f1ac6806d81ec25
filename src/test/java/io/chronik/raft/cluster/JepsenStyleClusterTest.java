package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.chronik.raft.api.ChronikException;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.check.HistoryOp;
import io.chronik.raft.check.LinearizabilityChecker;
import io.chronik.raft.check.RegisterModel;
import io.chronik.raft.replica.ReadPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * L2 (shared/TESTING.md): a Jepsen-style workload on three ActorSystems forming a real cluster
 * (Artery, a LevelDB journal each). Under each schedule a seeded fault plan isolates nodes, drops,
 * duplicates and delays replica messages ({@link ChaosFilter}) and stops and restarts a node on
 * its data, while clients put, compare-and-set and read (safe or none, alternating) through every
 * node. Each key's history is checked for linearizability; "unknown" counts as a failure.
 * {@code -Dchronik.l2.schedules=N} (default 20), {@code -Dchronik.l2.seed=S}.
 */
@Tag("cluster")
class JepsenStyleClusterTest {
  private static final int CLIENTS = 4;
  private static final long FAULT_MILLIS = 4_000;

  private record Call(String key, long call, RegisterModel.Op op) {}

  private final Map<String, List<HistoryOp<RegisterModel.Op>>> history = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicLong unknown = new AtomicLong();
  private final AtomicLong faults = new AtomicLong();

  @Test
  void historiesUnderFaultsAreLinearizable() throws Exception {
    int schedules = Integer.getInteger("chronik.l2.schedules", 20);
    long seed = Long.getLong("chronik.l2.seed", 42L);
    long started = System.nanoTime();
    List<String> failures = new ArrayList<>();
    long ops = 0;
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3"),
        "[{name = kv, partitions = 1, replication-factor = 3, state-machine = key-value}]",
        "chronik.cluster.message-filter = io.chronik.raft.cluster.ChaosFilter\nchronik.request-timeout = 2s")) {
      c.awaitLeader(0, "kv-0");
      for (int s = 0; s < schedules; s++) {
        history.clear();
        ReadPolicy policy = s % 2 == 0 ? ReadPolicy.SAFE : ReadPolicy.NONE;
        runSchedule(c, new Random(seed + s), "s" + s, policy);
        for (Map.Entry<String, List<HistoryOp<RegisterModel.Op>>> e : new TreeMap<>(history).entrySet()) {
          ops += e.getValue().size();
          LinearizabilityChecker.Verdict v = LinearizabilityChecker.check(new RegisterModel(), e.getValue(), 5_000_000);
          if (v != LinearizabilityChecker.Verdict.LINEARIZABLE) {
            failures.add("schedule " + s + " (seed " + (seed + s) + ", policy " + policy + ") key " + e.getKey() + ": "
                + v + " " + e.getValue());
          }
        }
      }
    } finally {
      ChaosFilter.plan = ChaosFilter.Plan.NONE;
    }
    System.out.printf("l2 cluster schedules=%d ops=%d violations=%d unknown_ops=%d faults=%d elapsed=%.1fs%n",
        schedules, ops, failures.size(), unknown.get(), faults.get(), (System.nanoTime() - started) / 1e9);
    if (!failures.isEmpty()) fail(String.join("\n", failures));
    assertTrue(ops > schedules * 20L, "the workload must complete operations, got " + ops);
  }

  /**
   * Negative control: the same cluster, history recording and checker flag stale reads. A
   * follower cut off from the others serves an {@code unsafe} read of a key after a write of it
   * completed through the majority: the checker must call that history not linearizable.
   */
  @Test
  void unsafeReadsOnACutOffFollowerAreFlagged() throws Exception {
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3"),
        "[{name = kv, partitions = 1, replication-factor = 3, state-machine = key-value}]",
        "chronik.cluster.message-filter = io.chronik.raft.cluster.ChaosFilter\nchronik.request-timeout = 2s")) {
      int leader = c.indexOf(c.awaitLeader(0, "kv-0").replicaId());
      int cutOff = (leader + 1) % 3;
      String key = "control";
      long call = System.nanoTime();
      c.chronik(leader).put("kv", 0, key, ByteString.copyFromUtf8("v0")).toCompletableFuture().get(15, TimeUnit.SECONDS);
      record(key, call, new RegisterModel.Put("v0"));
      // wait until the follower has applied v0, so the stale read below is of a real value
      c.kit(cutOff).createTestProbe().awaitAssert(java.time.Duration.ofSeconds(10), () -> {
        assertTrue("v0".equals(get(c, cutOff, key)), "the follower applies v0");
        return null;
      });
      ChaosFilter.plan = new ChaosFilter.Plan(Set.of(c.ids.get(cutOff)), 0, 0, 0);
      call = System.nanoTime();
      c.chronik(leader).put("kv", 0, key, ByteString.copyFromUtf8("v1")).toCompletableFuture().get(15, TimeUnit.SECONDS);
      record(key, call, new RegisterModel.Put("v1"));
      call = System.nanoTime();
      String seen = get(c, cutOff, key);
      record(key, call, new RegisterModel.Get(seen));
      LinearizabilityChecker.Verdict v = LinearizabilityChecker.check(new RegisterModel(), history.get(key), 5_000_000);
      System.out.printf("l2 negative control: unsafe read on the cut-off follower saw %s after v1 was written: %s%n",
          seen, v);
      assertTrue("v0".equals(seen), "the cut-off follower cannot have learned v1, saw " + seen);
      assertTrue(v == LinearizabilityChecker.Verdict.VIOLATION, "the checker must flag the stale read: " + v);
    } finally {
      ChaosFilter.plan = ChaosFilter.Plan.NONE;
    }
  }

  private static String get(TestCluster c, int node, String key) {
    try {
      var r = c.chronik(node).get("kv", 0, key, Optional.of(ReadPolicy.UNSAFE), 0).toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
      return r.result().getFound() ? r.result().getValue().toStringUtf8() : null;
    } catch (Exception e) {
      throw new AssertionError("unsafe read through node " + node + " failed: " + e, e);
    }
  }

  private void runSchedule(TestCluster c, Random rnd, String prefix, ReadPolicy policy) throws Exception {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FAULT_MILLIS);
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      clientLoop(c, new Random(rnd.nextLong()), prefix, policy, end, done);
      clients.add(done);
    }
    // The fault plan: actions at random offsets within the schedule, run in order on one thread.
    int[] stopped = {-1};
    java.util.concurrent.ScheduledExecutorService faultClock = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    List<java.util.concurrent.ScheduledFuture<?>> plan = new ArrayList<>();
    try {
      for (long at = 600 + rnd.nextInt(900); at < FAULT_MILLIS; at += 600 + rnd.nextInt(900)) {
        int action = rnd.nextInt(5);
        int node = rnd.nextInt(3);
        double drop = rnd.nextDouble() * 0.2;
        double duplicate = rnd.nextDouble() * 0.1;
        double delay = rnd.nextDouble() * 0.3;
        plan.add(faultClock.schedule(() -> {
          inject(c, action, node, drop, duplicate, delay, stopped);
          return null;
        }, at, TimeUnit.MILLISECONDS));
      }
      for (java.util.concurrent.ScheduledFuture<?> f : plan) f.get(FAULT_MILLIS + 120_000, TimeUnit.MILLISECONDS);
    } finally {
      faultClock.shutdownNow();
    }
    int stoppedAtEnd = stopped[0];
    ChaosFilter.plan = ChaosFilter.Plan.NONE;
    if (stoppedAtEnd >= 0) c.start(stoppedAtEnd);
    c.awaitAllUp();
    for (CompletableFuture<Void> f : clients) f.get(120, TimeUnit.SECONDS);
    c.awaitLeader(0, "kv-0");
  }

  /** One fault: isolate a node, degrade the network, stop or restart a node, or heal. */
  private void inject(TestCluster c, int action, int node, double drop, double duplicate, double delay, int[] stopped)
      throws Exception {
    faults.incrementAndGet();
    if (action == 0) {
      ChaosFilter.plan = new ChaosFilter.Plan(Set.of(c.ids.get(node)), 0, 0, 0);
    } else if (action == 1) {
      ChaosFilter.plan = new ChaosFilter.Plan(Set.of(), drop, duplicate, delay);
    } else if (action == 2 && stopped[0] < 0) {
      stopped[0] = node;
      c.stop(node);
    } else if (action == 3 && stopped[0] >= 0) {
      c.start(stopped[0]);
      stopped[0] = -1;
    } else {
      ChaosFilter.plan = ChaosFilter.Plan.NONE;
    }
  }

  private void clientLoop(TestCluster c, Random rnd, String prefix, ReadPolicy policy, long end,
      CompletableFuture<Void> done) {
    if (System.nanoTime() >= end) {
      done.complete(null);
      return;
    }
    try {
      nextOp(c, rnd, prefix, policy).whenComplete((r, e) -> clientLoop(c, rnd, prefix, policy, end, done));
    } catch (RuntimeException nodeStoppedMeanwhile) {
      // The request never left (its node was being stopped): nothing happened; go on.
      CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS).execute(() -> clientLoop(c, rnd, prefix, policy, end, done));
    }
  }

  private CompletionStage<?> nextOp(TestCluster c, Random rnd, String prefix, ReadPolicy policy) {
    List<Integer> running = new ArrayList<>();
    for (int i = 0; i < 3; i++) if (c.running(i)) running.add(i);
    ChronikRaft via = c.chronik(running.get(rnd.nextInt(running.size())));
    String key = prefix + "-k" + rnd.nextInt(10);
    String value = "v" + ids.incrementAndGet();
    int dice = rnd.nextInt(10);
    long call = System.nanoTime();
    CompletionStage<?> op;
    if (dice < 4) {
      op = deadline(via.get("kv", 0, key, Optional.of(policy), 0)).thenAccept(r -> record(key, call,
          new RegisterModel.Get(r.result().getFound() ? r.result().getValue().toStringUtf8() : null)));
    } else if (dice < 7) {
      op = deadline(via.put("kv", 0, key, ByteString.copyFromUtf8(value))).thenAccept(w -> record(key, call, new RegisterModel.Put(value)));
      op = failedWrite(op, key, call, new RegisterModel.Put(value));
    } else {
      String expected = rnd.nextBoolean() ? null : "v" + (ids.get() - rnd.nextInt(4));
      op = deadline(via.compareAndSet("kv", 0, key, Optional.ofNullable(expected).map(ByteString::copyFromUtf8),
              ByteString.copyFromUtf8(value)))
          .thenAccept(w -> record(key, call, new RegisterModel.Cas(expected, value, w.result().getApplied())));
      op = failedWrite(op, key, call, new RegisterModel.Cas(expected, value, null));
    }
    return op;
  }

  /**
   * The client's own deadline (a JDK timer): an ask pending on a node whose ActorSystem was
   * stopped would otherwise never complete.
   */
  private static <T> CompletableFuture<T> deadline(CompletionStage<T> op) {
    return op.toCompletableFuture().orTimeout(20, TimeUnit.SECONDS);
  }

  /** A write that failed with an unknown outcome may still take effect: it stays in the history, unfinished. */
  private CompletionStage<?> failedWrite(CompletionStage<?> op, String key, long call, RegisterModel.Op modelOp) {
    return op.exceptionally(e -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      boolean nothingHappened = cause instanceof ChronikException ce
          && (ce.kind() == ChronikException.Kind.UNAVAILABLE || ce.kind() == ChronikException.Kind.NOT_FOUND
              || ce.kind() == ChronikException.Kind.INVALID_ARGUMENT);
      if (!nothingHappened) {
        unknown.incrementAndGet();
        add(key, new HistoryOp<>(0, call, HistoryOp.UNKNOWN, modelOp));
      }
      return null;
    });
  }

  private void record(String key, long call, RegisterModel.Op op) {
    add(key, new HistoryOp<>(0, call, System.nanoTime(), op));
  }

  private void add(String key, HistoryOp<RegisterModel.Op> op) {
    List<HistoryOp<RegisterModel.Op>> ops = history.computeIfAbsent(key, k -> new ArrayList<>());
    synchronized (ops) {
      ops.add(new HistoryOp<>(ops.size(), op.call(), op.ret(), op.op()));
    }
  }
}
