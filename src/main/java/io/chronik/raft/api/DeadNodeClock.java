package io.chronik.raft.api;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * When a node counts as dead, for the rebalancer: a node this node has seen alive is dead once it
 * has been unreachable for the whole timeout since it was last seen; a node this node has never
 * seen alive (the cluster is still starting, or the node died before this one started) gets the
 * timeout from this node's start and never less than {@link #START_UP_ALLOWANCE}, so that nodes
 * started one after another are not replaced while they start. Pure: time is passed in.
 */
final class DeadNodeClock {
  /** The least a node never seen alive gets, counted from this node's start. */
  static final Duration START_UP_ALLOWANCE = Duration.ofSeconds(60);

  private final long deadAfter;
  private final long startedNanos;
  private final long neverSeenDeadAt;
  private final Set<String> seenAlive = new HashSet<>();
  /** Since when (nanos) each node seen alive has been unreachable. */
  private final Map<String, Long> downSince = new HashMap<>();
  /** Dead nodes whose replicas were all replaced; forgotten when they come back. */
  private final Set<String> replaced = new HashSet<>();
  /** When a refused replacement may be tried again, per node. */
  private final Map<String, Long> retryAt = new HashMap<>();

  DeadNodeClock(Duration deadAfter, long startedNanos) {
    this.deadAfter = deadAfter.toNanos();
    this.startedNanos = startedNanos;
    this.neverSeenDeadAt = startedNanos + Math.max(this.deadAfter, START_UP_ALLOWANCE.toNanos());
  }

  /**
   * Records which of the {@code known} nodes are {@code alive} at {@code now}; answers the first
   * (by name) that is dead, not yet replaced and not waiting out a refused try.
   */
  synchronized Optional<String> observe(long now, Iterable<String> known, Predicate<String> alive) {
    Set<String> down = new HashSet<>();
    for (String n : known) {
      if (alive.test(n)) {
        seenAlive.add(n);
      } else {
        down.add(n);
      }
    }
    downSince.keySet().retainAll(down);
    replaced.retainAll(down);
    retryAt.keySet().retainAll(down);
    for (String n : down) if (seenAlive.contains(n)) downSince.putIfAbsent(n, now);
    return down.stream()
        .filter(n -> dead(n, now) && !replaced.contains(n) && now >= retryAt.getOrDefault(n, now))
        .sorted().findFirst();
  }

  private boolean dead(String node, long now) {
    Long since = downSince.get(node);
    return since == null ? now >= neverSeenDeadAt : now - since >= deadAfter;
  }

  /** How long {@code node} has counted as down, for the log: since it was seen, or since this node started. */
  synchronized Duration downFor(String node, long now) {
    Long since = downSince.get(node);
    return Duration.ofNanos(now - (since != null ? since : startedNanos));
  }

  synchronized boolean seen(String node) {
    return seenAlive.contains(node);
  }

  synchronized void replaced(String node) {
    replaced.add(node);
  }

  synchronized void retryAt(String node, long at) {
    retryAt.put(node, at);
  }
}
