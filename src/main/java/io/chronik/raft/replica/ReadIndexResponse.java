package io.chronik.raft.replica;

/**
 * The leader's read index for request {@code requestId}, valid only when {@code ok}: the leader
 * confirmed with a quorum, after the request arrived, that it still led {@code term}.
 */
public record ReadIndexResponse(String groupId, long term, String from, long requestId, boolean ok, long readIndex)
    implements RaftMessage {}
