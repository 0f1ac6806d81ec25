package io.chronik.raft.core;

/**
 * Writes a follower forwarded to its leader: which answer the follower takes, how long it waits
 * for one after its leader changed, de-duplication (a ForwardedPropose appended once) and
 * what a replica that may have appended one answers when it no longer leads (outcome unknown,
 * never a retry-safe refusal).
 *
 * <p>A write applied twice is not linearizable, and neither is a write the client was told it may
 * safely retry ("not leader") that commits after all. Both rules keep a forwarded write
 * at-most-once as seen by its client.
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 */
public class ForwardingRules {

  /** What a leader does with a ForwardedPropose of its term. */
  public enum AtLeader {
    /** Append it (recording its id) and answer the follower once it commits or fails. */
    APPEND,
    /**
     * A duplicate of a write already appended: drop it. The first copy's answer goes to the same
     * follower under the same id, so the follower still gets exactly one answer.
     */
    DROP_DUPLICATE
  }

  /** What a replica that does not lead the ForwardedPropose's term answers. */
  public enum Refusal {
    /** Never entered this replica's log: the follower's client may retry safely. */
    NOT_LEADER,
    /** This replica may have appended it as leader of its term; it may still commit or already did. */
    OUTCOME_UNKNOWN
  }

  /** What this replica knew when it recovered: its term, and whether it had voted for itself in it. */
  public record Recovered(long term, boolean votedForSelf) {}

  /**
   * A leader appends a forwarded write once per (follower, proposal id): {@code appended} holds
   * the ids this incarnation appended. Transports in this system do not duplicate, but fault
   * injection and the simulation do.
   */
  public AtLeader atLeader(RecentIds appended, String follower, long proposalId) {
    return appended.contains(follower, proposalId) ? AtLeader.DROP_DUPLICATE : AtLeader.APPEND;
  }

  /**
   * Whether this replica may have appended the write {@code proposalId} from {@code follower},
   * sent to the leader of {@code proposalTerm}: this incarnation did (it remembers the ids it
   * appended), or it cannot tell — it forgot ids from that follower (its window overflowed), or
   * the term began before this incarnation recovered and an earlier one may have led it: any term
   * before the recovered one, or the recovered term itself if this replica had voted for itself
   * in it (Raft §5.2: a candidate votes for itself, and only a candidate can become leader).
   */
  public boolean mayHaveAppended(RecentIds appended, String follower, long proposalId, long proposalTerm,
      Recovered recovered) {
    if (appended.contains(follower, proposalId) || appended.forgotAny(follower)) return true;
    if (proposalTerm < recovered.term()) return true;
    return proposalTerm == recovered.term() && recovered.votedForSelf();
  }

  /**
   * A ForwardedPropose reached a replica that does not lead its term (it stepped down, or the
   * term is stale): "not leader" (retry-safe) only if the write cannot be in this replica's log,
   * else "outcome unknown" — telling a client to retry a write that may commit applies it twice.
   */
  public Refusal refuse(RecentIds appended, String follower, long proposalId, long proposalTerm,
      Recovered recovered) {
    return mayHaveAppended(appended, follower, proposalId, proposalTerm, recovered)
        ? Refusal.OUTCOME_UNKNOWN : Refusal.NOT_LEADER;
  }

  /**
   * The follower side: an answer to a forwarded write counts only from the leader it was sent to.
   * Proposal ids are per follower incarnation, so an answer from another replica (which may have
   * been sent for an earlier incarnation's write with the same id) would end the wrong write.
   */
  public boolean answerCounts(String sentTo, String answeredBy) {
    return sentTo.equals(answeredBy);
  }

  /**
   * The follower side: once the leader a write went to is no longer this replica's leader, its
   * answer may still be on its way (a leader that hands over answers every write first, but the
   * new term, sent by another replica, can overtake that answer by one network hop), so the write
   * waits one heartbeat interval more; then its outcome is unknown. So a client whose leader died
   * learns it within about an election timeout, not at its own deadline.
   */
  public java.time.Duration orphanGrace(java.time.Duration heartbeatInterval) {
    return heartbeatInterval;
  }
}
