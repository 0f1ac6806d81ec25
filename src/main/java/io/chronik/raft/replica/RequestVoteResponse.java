package io.chronik.raft.replica;

/** Answer to {@link RequestVote}; {@code term} is the request's term when granted. */
public record RequestVoteResponse(
    String groupId, long term, String from, boolean granted, boolean preVote)
    implements RaftMessage {}
