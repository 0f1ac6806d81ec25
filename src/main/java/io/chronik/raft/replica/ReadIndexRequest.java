package io.chronik.raft.replica;

/** Thesis §6.4 step 1 from a follower: "what is your read index?" Answered after a quorum round. */
public record ReadIndexRequest(String groupId, long term, String from, long requestId) implements RaftMessage {}
