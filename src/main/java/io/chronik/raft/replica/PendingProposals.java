package io.chronik.raft.replica;

import com.google.protobuf.ByteString;
import io.chronik.raft.replica.ClientProtocol.OutcomeUnknown;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Proposals accepted into the leader's log and not yet answered, by log index. Each gets exactly
 * one reply: {@link Proposed} when its entry is applied, {@link OutcomeUnknown} when leadership
 * is lost first (the entry may still commit under the next leader). A reply goes to the client
 * directly, or back to the follower that forwarded the proposal.
 */
final class PendingProposals {
  private record Pending(long term, Consumer<ProposeReply> answer, long arrivedNanos) {}

  private record Arrival(long index, long nanos) {}

  private final TreeMap<Long, Pending> byIndex = new TreeMap<>();
  private final String self;
  private final ReplicaMetrics metrics;
  /**
   * Arrival times of proposals whose entry the leader's own write has not made durable yet. Kept
   * apart from {@link #byIndex}: two followers can commit an entry before the leader's own write
   * is done, and that (slowest) write must still be timed. In log order: a leader appends its
   * proposals at increasing indexes, so the durable ones are always at the front.
   */
  private final ArrayDeque<Arrival> notDurable = new ArrayDeque<>();

  PendingProposals(String self, ReplicaMetrics metrics) {
    this.self = self;
    this.metrics = metrics;
  }

  /** {@code arrivedNanos}: when the proposal reached this replica (System.nanoTime), for its stage latencies. */
  void add(long index, long term, Consumer<ProposeReply> answer, long arrivedNanos) {
    byIndex.put(index, new Pending(term, answer, arrivedNanos));
    notDurable.addLast(new Arrival(index, arrivedNanos));
  }

  /** The leader's own log is durable through {@code index}: records the stage of each proposal it covers. */
  void durableThrough(long index) {
    while (!notDurable.isEmpty() && notDurable.peekFirst().index() <= index) {
      metrics.writeStage(ReplicaLatency.WriteStage.LEADER_DURABLE, notDurable.pollFirst().nanos());
    }
  }

  /** The entry at {@code index} with {@code term} was applied with {@code result}. */
  void applied(long index, long term, ByteString result) {
    Pending p = byIndex.remove(index);
    if (p == null) return;
    if (p.term == term) {
      metrics.writeStage(ReplicaLatency.WriteStage.COMMITTED, p.arrivedNanos);
      p.answer.accept(new Proposed(index, result, self));
    } else {
      // Another leader's entry replaced ours at this index: ours is gone for good.
      p.answer.accept(new OutcomeUnknown("entry " + index + " was overwritten by a newer leader"));
    }
  }

  void failAll(String reason) {
    Map<Long, Pending> all = new TreeMap<>(byIndex);
    byIndex.clear();
    notDurable.clear();
    for (Map.Entry<Long, Pending> e : all.entrySet()) {
      e.getValue().answer.accept(new OutcomeUnknown(
          reason + " before entry " + e.getKey() + " was known to be committed; it may still commit"));
    }
  }

  int size() {
    return byIndex.size();
  }
}
