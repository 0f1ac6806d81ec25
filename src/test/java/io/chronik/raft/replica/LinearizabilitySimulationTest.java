package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Reads under each policy, sent to every replica while writes and compare-and-sets go to the
 * leader, under random faults (L0 simulation); the recorded histories are checked per key by the
 * linearizability checker. {@code -Dchronik.lin.schedules=N} per policy (default 300),
 * {@code -Dseed=S} replays one schedule.
 */
class LinearizabilitySimulationTest {
  private static final long FAULT_MILLIS = 6_000;
  private static final int CLIENTS = 4;

  private record Outcome(int schedules, int violations, long ops, long reads, List<String> failures,
      TreeMap<String, Integer> kinds) {}

  private static Outcome run(ReadPolicy policy, boolean forgeAcks, long baseSeed, int schedules) {
    long started = System.nanoTime();
    int violations = 0;
    long ops = 0;
    long reads = 0;
    long readsFailed = 0;
    long checkerMillis = 0;
    List<String> failures = new ArrayList<>();
    TreeMap<String, Integer> kinds = new TreeMap<>();
    Long replay = Long.getLong("seed");
    for (int i = 0; i < (replay != null ? 1 : schedules); i++) {
      long seed = replay != null ? replay : baseSeed + i;
      SimulatedGroup sim = SimulatedGroup.random(seed, false, policy, forgeAcks).run(FAULT_MILLIS, CLIENTS);
      ops += sim.stats.historyOps;
      reads += sim.stats.readsServed;
      readsFailed += sim.stats.readsFailed;
      checkerMillis += sim.stats.checkerMillis;
      if (!sim.violations().isEmpty()) {
        violations++;
        kinds.merge(sim.violations().get(0).split(":")[0], 1, Integer::sum);
        failures.add("seed=" + seed + " " + sim.violations().get(0));
      }
    }
    System.out.printf("linearizability policy=%s%s schedules=%d ops=%d violations=%d reads_served=%d "
            + "reads_failed=%d checker=%.1fs elapsed=%.1fs%n", policy.configName(), forgeAcks ? " (forged read acks)" : "",
        replay != null ? 1 : schedules, ops, violations, reads, readsFailed, checkerMillis / 1000.0,
        (System.nanoTime() - started) / 1e9);
    return new Outcome(schedules, violations, ops, reads, failures, kinds);
  }

  private static int schedules() {
    return Integer.getInteger("chronik.lin.schedules", 300);
  }

  private static void assertClean(Outcome o) {
    if (o.violations > 0) fail(o.violations + " schedules failed:\n" + String.join("\n", o.failures));
    assertTrue(o.reads > o.schedules, "the workload must serve reads, got " + o.reads);
  }

  @Test
  void safeReadsOnEveryReplicaAreLinearizable() {
    assertClean(run(ReadPolicy.SAFE, false, 5_000, schedules()));
  }

  @Test
  void forwardedReadsAreLinearizable() {
    assertClean(run(ReadPolicy.NONE, false, 6_000, schedules()));
  }

  /** The checker must be able to fail: local reads on a partitioned replica are stale. */
  @Test
  void unsafeReadsAreFlagged() {
    Outcome o = run(ReadPolicy.UNSAFE, false, 7_000, 60);
    assertTrue(o.kinds.getOrDefault("linearizability", 0) > 0, "unsafe reads under partitions must be flagged: " + o.kinds);
  }

  /** A leader that counts acknowledgements nobody sent answers reads without a real quorum round. */
  @Test
  void readsWithoutAFreshQuorumRoundAreFlagged() {
    Outcome o = run(ReadPolicy.SAFE, true, 8_000, 60);
    assertTrue(o.kinds.getOrDefault("linearizability", 0) > 0,
        "reads confirmed by forged acknowledgements must be flagged: " + o.kinds);
  }
}
