package io.chronik.raft.core;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The majority rule of a configuration, computed <em>by voter id</em> so that a duplicated
 * message or a response from a non-voter can never be counted twice or at all.
 *
 * <p>While a configuration is joint (thesis §4.3, etcd {@code quorum.JointConfig}) every decision
 * needs a majority of the incoming voters <em>and</em> a majority of the outgoing ones, so that
 * neither the old nor the new configuration can decide alone. Outside a joint configuration the
 * outgoing half is empty, and an empty half never holds anything back: the quorum is then
 * exactly the plain majority of its voters.
 */
public final class Quorum {
  public enum VoteResult { WON, LOST, PENDING }

  private final Majority incoming;
  private final Majority outgoing;
  private final Set<String> voters;

  /** A plain majority over {@code voters} (not joint). */
  public Quorum(Set<String> voters) {
    this(voters, Set.of());
  }

  /** A joint quorum when {@code outgoing} is non-empty, else the plain majority of {@code incoming}. */
  public Quorum(Set<String> incoming, Set<String> outgoing) {
    if (incoming.isEmpty()) throw new IllegalArgumentException("a Raft group needs at least one voter");
    this.incoming = new Majority(incoming);
    this.outgoing = new Majority(outgoing);
    if (outgoing.isEmpty()) {
      this.voters = this.incoming.voters();
    } else {
      Set<String> union = new HashSet<>(incoming);
      union.addAll(outgoing);
      this.voters = Set.copyOf(union);
    }
  }

  /** Every voter, of either half. */
  public Set<String> voters() {
    return voters;
  }

  public Set<String> incoming() {
    return incoming.voters();
  }

  /** The outgoing half's voters; empty unless joint. */
  public Set<String> outgoing() {
    return outgoing.voters();
  }

  public boolean joint() {
    return !outgoing.isEmpty();
  }

  /** How many votes make a majority; a joint quorum has no single number, so asking it is a bug. */
  public int majority() {
    if (joint()) throw new IllegalStateException("a joint quorum needs a majority of each half, not one count");
    return incoming.majority();
  }

  /** A voter of either half. */
  public boolean isVoter(String id) {
    return voters.contains(id);
  }

  /**
   * WON once each half has a majority of grants, LOST as soon as either half can no longer reach
   * one (that half alone blocks the election), PENDING otherwise.
   */
  public VoteResult voteResult(Map<String, Boolean> votes) {
    VoteResult in = incoming.voteResult(votes);
    VoteResult out = outgoing.voteResult(votes);
    if (in == out) return in;
    if (in == VoteResult.LOST || out == VoteResult.LOST) return VoteResult.LOST;
    return VoteResult.PENDING;
  }

  /**
   * The highest index that a majority of each half has durably matched: the lower of the two
   * halves' committed indexes. Voters absent from the map count as 0.
   */
  public long committedIndex(Map<String, Long> matchIndex) {
    return Math.min(incoming.committedIndex(matchIndex), outgoing.committedIndex(matchIndex));
  }

  /** True when the given ids (ids that are no voter are ignored) form a majority of each half. */
  public boolean isMajority(Set<String> ids) {
    return incoming.isMajority(ids) && outgoing.isMajority(ids);
  }

  @Override
  public String toString() {
    return joint() ? "voters=" + incoming() + "&&" + outgoing() : "voters=" + incoming();
  }
}
