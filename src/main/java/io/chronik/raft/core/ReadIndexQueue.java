package io.chronik.raft.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Leader-side ReadIndex bookkeeping (Raft thesis §6.4), one instance per leadership term.
 *
 * <p>Each confirmation round carries a sequence number the leader generates, increasing within
 * the term. A read registered while round {@code s-1} was the last one sent waits for round
 * {@code s} — a round sent <em>after</em> the read arrived — and is released only once a quorum
 * (the leader counting itself) has acknowledged a sequence number {@code >= s}.
 *
 * <p>Invariant: a read is never released by an acknowledgement of a round sent before it
 * arrived. Duplicated, delayed or reordered acknowledgements only ever carry sequence numbers of
 * rounds that were actually sent, so they cannot release a read early; acknowledgements from an
 * earlier term never reach this queue (the term check drops them). Many reads share one round,
 * and at most one round is outstanding: reads that arrive meanwhile wait for the next one.
 */
public final class ReadIndexQueue<R> {
  /** A read whose leadership confirmation is complete: serve it at {@code readIndex}. */
  public record Released<R>(R read, long readIndex) {}

  private record Waiting<R>(R read, long readIndex) {}

  private final ReadRules rules;
  private Quorum quorum;
  private final String self;
  private long lastSentSeq;
  private final Map<String, Long> acknowledged = new HashMap<>();
  /** Voters in the order of their latest acknowledgement, the most recent last. */
  private final LinkedHashSet<String> byRecency = new LinkedHashSet<>();
  private final TreeMap<Long, List<Waiting<R>>> waitingBySeq = new TreeMap<>();
  private long rounds;
  private long releasedByRounds;

  public ReadIndexQueue(Quorum quorum, String self) {
    this(RaftRules.STANDARD.reads(), quorum, self);
  }

  /** @param rules says which round a majority confirmed ({@link ReadRules#confirmedRound}) */
  public ReadIndexQueue(ReadRules rules, Quorum quorum, String self) {
    this.rules = rules;
    this.quorum = quorum;
    this.self = self;
  }

  /**
   * The leader's configuration changed: rounds are confirmed by a majority of the configuration in
   * force when they are confirmed (etcd {@code readOnly.maybeAdvance(r.trk.Voters)}); safe because
   * every voter change passes through a joint configuration, whose majorities meet both the old
   * and the new one's. Returns the reads the new majority already confirmed.
   */
  public List<Released<R>> setQuorum(Quorum next) {
    quorum = next;
    return releaseConfirmed();
  }

  /** Registers a read that arrived now, to be served at {@code readIndex} once confirmed. */
  public void register(R read, long readIndex) {
    waitingBySeq.computeIfAbsent(lastSentSeq + 1, s -> new ArrayList<>()).add(new Waiting<>(read, readIndex));
  }

  /** The sequence number of the last round sent: every AppendEntries may carry it. */
  public long currentSeq() {
    return lastSentSeq;
  }

  /** True when reads wait for a round that has not been sent and no round is outstanding. */
  public boolean needsRound() {
    return !waitingBySeq.isEmpty() && waitingBySeq.lastKey() > lastSentSeq && confirmedSeq() == lastSentSeq;
  }

  /** Starts a round; returns its sequence number, to be sent to every peer. */
  public long startRound() {
    rounds++;
    return ++lastSentSeq;
  }

  /** {@code voter} acknowledged the leader's round {@code seq} in this term. */
  public List<Released<R>> acknowledge(String voter, long seq) {
    if (seq > lastSentSeq) {
      throw new IllegalStateException("acknowledgement of round " + seq + " which was never sent (last " + lastSentSeq + ")");
    }
    acknowledged.merge(voter, seq, Math::max);
    byRecency.remove(voter);
    byRecency.add(voter);
    return releaseConfirmed();
  }

  /**
   * The voters that acknowledged a round in this term, the most recent first: those a new round
   * goes to first ({@link ReadRules#roundRecipients}).
   */
  public List<String> recentAcknowledgers() {
    List<String> out = new ArrayList<>(byRecency);
    Collections.reverse(out);
    return out;
  }

  /** Releases every read whose round a quorum has acknowledged. */
  public List<Released<R>> releaseConfirmed() {
    long confirmed = confirmedSeq();
    List<Released<R>> out = new ArrayList<>();
    while (!waitingBySeq.isEmpty() && waitingBySeq.firstKey() <= confirmed) {
      for (Waiting<R> w : waitingBySeq.pollFirstEntry().getValue()) out.add(new Released<>(w.read, w.readIndex));
    }
    releasedByRounds += out.size();
    return out;
  }

  /** The highest round a quorum has acknowledged (the leader acknowledges its own rounds). */
  private long confirmedSeq() {
    Map<String, Long> acks = new HashMap<>(acknowledged);
    acks.put(self, lastSentSeq);
    return rules.confirmedRound(quorum, acks);
  }

  /** Removes and returns every waiting read (the leader stepped down). */
  public List<R> drainAll() {
    List<R> out = new ArrayList<>();
    for (List<Waiting<R>> ws : waitingBySeq.values()) for (Waiting<R> w : ws) out.add(w.read);
    waitingBySeq.clear();
    return out;
  }

  public int waiting() {
    int n = 0;
    for (List<Waiting<R>> ws : waitingBySeq.values()) n += ws.size();
    return n;
  }

  public long rounds() {
    return rounds;
  }

  public long releasedByRounds() {
    return releasedByRounds;
  }
}
