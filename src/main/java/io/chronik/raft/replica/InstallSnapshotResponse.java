package io.chronik.raft.replica;

/**
 * Answer to {@link InstallSnapshot}: the follower expects the chunk at {@code nextOffset} of the
 * snapshot ({@code lastIndex}, {@code lastTerm}) next (0: start over), or {@code installed} —
 * it now durably holds the log up to {@code lastIndex}. {@code transfer}: the leader's id of the
 * transfer this answers (0 from a follower of an earlier version).
 */
public record InstallSnapshotResponse(
    String groupId,
    long term,
    String from,
    long lastIndex,
    long lastTerm,
    long nextOffset,
    boolean installed,
    long transfer)
    implements RaftMessage {}
