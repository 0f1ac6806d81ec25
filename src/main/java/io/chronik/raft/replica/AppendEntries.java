package io.chronik.raft.replica;

import io.chronik.raft.rpc.LogEntry;
import java.util.List;

/**
 * Raft §5.3 AppendEntries; with no entries it is a heartbeat. {@code leaderCommit} lets the
 * follower advance its commit index up to the last entry this message proved it shares.
 * {@code readSeq} is the leader's latest ReadIndex round in this term; the follower echoes it, and
 * that echo is the follower's acknowledgement of the leader's leadership for the round.
 */
public record AppendEntries(
    String groupId,
    long term,
    String from,
    long prevLogIndex,
    long prevLogTerm,
    List<LogEntry> entries,
    long leaderCommit,
    long readSeq)
    implements RaftMessage {
  public AppendEntries {
    entries = List.copyOf(entries);
  }

  public long lastIndex() {
    return prevLogIndex + entries.size();
  }
}
