package io.chronik.raft.replica;

/**
 * Raft §5.2 RequestVote. With {@code preVote} set (thesis §9.6) it only asks whether the receiver
 * would vote in {@code term}; nobody changes term or vote for it. With {@code leadershipTransfer}
 * set the candidate campaigns because the leader told it to ({@link TimeoutNow}, thesis §3.10):
 * voters then disregard their leader lease (thesis §4.2.3), which would otherwise make them ignore
 * a candidate while they still hear from a leader. The log up-to-date check and one vote per term
 * apply unchanged.
 */
public record RequestVote(
    String groupId, long term, String from, long lastLogIndex, long lastLogTerm, boolean preVote,
    boolean leadershipTransfer)
    implements RaftMessage {

  public RequestVote(String groupId, long term, String from, long lastLogIndex, long lastLogTerm, boolean preVote) {
    this(groupId, term, from, lastLogIndex, lastLogTerm, preVote, false);
  }
}
