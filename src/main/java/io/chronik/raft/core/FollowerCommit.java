package io.chronik.raft.core;

/**
 * What a follower knows of its leader's commit index within one term, and so what it may commit
 * ({@link ReplicationRules#followerCommit}): the highest commit index that term's leader told it
 * (with an AppendEntries, or as a ReadIndex answer's read index) and the last index its
 * AppendEntries proved this log shares with the leader's. Both start over with every new term:
 * another leader's log may differ after what the old one proved.
 *
 * <p>The leader sends no message only to say that its commit index moved; a follower learns it with
 * the next append or heartbeat, or, when a {@code safe} read needs it sooner, from the read index
 * the leader answers.
 */
public final class FollowerCommit {
  private final ReplicationRules rules;
  private long term;
  private long leaderCommit;
  private long matched;

  public FollowerCommit(ReplicationRules rules) {
    this.rules = rules;
  }

  /** An AppendEntries of {@code term} was accepted, proving the log up to {@code matchIndex}; what may be committed now. */
  public long onAppendAccepted(long term, long leaderCommit, long matchIndex) {
    if (!enter(term)) return committable();
    this.leaderCommit = Math.max(this.leaderCommit, leaderCommit);
    this.matched = Math.max(this.matched, matchIndex);
    return committable();
  }

  /** The leader of {@code term} answered a ReadIndex request with {@code readIndex} (committed there); what may be committed now. */
  public long onReadIndex(long term, long readIndex) {
    if (!enter(term)) return committable();
    this.leaderCommit = Math.max(this.leaderCommit, readIndex);
    return committable();
  }

  /** What may be committed with what is known in the latest term. */
  public long committable() {
    return rules.followerCommit(leaderCommit, matched);
  }

  /** False for news of an earlier term (it says nothing of the current leader's log). */
  private boolean enter(long newsTerm) {
    if (newsTerm < term) return false;
    if (newsTerm > term) {
      term = newsTerm;
      leaderCommit = 0;
      matched = 0;
    }
    return true;
  }
}
