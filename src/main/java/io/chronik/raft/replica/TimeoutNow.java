package io.chronik.raft.replica;

/**
 * Leadership transfer (Raft thesis §3.10): the leader of {@code term}, having made the receiver's
 * log as complete as its own and stopped accepting proposals, tells it to start an election at
 * once, without PreVote. Safe like any election: the receiver still needs a majority of votes
 * for an up-to-date log in a new term.
 */
public record TimeoutNow(String groupId, long term, String from) implements RaftMessage {}
