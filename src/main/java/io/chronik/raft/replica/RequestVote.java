package io.chronik.raft.replica;

/**
 * Raft §5.2 RequestVote. With {@code preVote} set (thesis §9.6) it only asks whether the receiver
 * would vote in {@code term}; nobody changes term or vote for it.
 */
public record RequestVote(
    String groupId, long term, String from, long lastLogIndex, long lastLogTerm, boolean preVote)
    implements RaftMessage {}
