package io.chronik.raft.replica;

/**
 * Answer to {@link AppendEntries}. On success {@code matchIndex} is the last index the follower
 * durably shares with the leader. On rejection {@code rejectedPrevIndex} names the request's
 * previous index and {@code conflictIndex}/{@code conflictTerm} are the fast back-off hint.
 * {@code readSeq} echoes the request's: either way, the follower acknowledged this leader's term.
 * {@code draining}: the follower's node is stopping, so the leader does not hand it leadership.
 */
public record AppendEntriesResponse(
    String groupId,
    long term,
    String from,
    boolean success,
    long matchIndex,
    long rejectedPrevIndex,
    long conflictIndex,
    long conflictTerm,
    long readSeq,
    boolean draining)
    implements RaftMessage {

  public AppendEntriesResponse(String groupId, long term, String from, boolean success, long matchIndex,
      long rejectedPrevIndex, long conflictIndex, long conflictTerm, long readSeq) {
    this(groupId, term, from, success, matchIndex, rejectedPrevIndex, conflictIndex, conflictTerm, readSeq, false);
  }

  static AppendEntriesResponse accepted(String groupId, long term, String from, long matchIndex, long readSeq) {
    return new AppendEntriesResponse(groupId, term, from, true, matchIndex, 0, 0, 0, readSeq);
  }

  static AppendEntriesResponse rejected(String groupId, long term, String from, long rejectedPrev,
      long conflictIndex, long conflictTerm, long readSeq) {
    return new AppendEntriesResponse(groupId, term, from, false, 0, rejectedPrev, conflictIndex, conflictTerm, readSeq);
  }

  AppendEntriesResponse withDraining(boolean isDraining) {
    return isDraining == draining ? this : new AppendEntriesResponse(groupId, term, from, success, matchIndex,
        rejectedPrevIndex, conflictIndex, conflictTerm, readSeq, isDraining);
  }
}
