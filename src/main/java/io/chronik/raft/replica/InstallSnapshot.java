package io.chronik.raft.replica;

import com.google.protobuf.ByteString;

/**
 * Raft §7 InstallSnapshot, one chunk at a time: the leader of {@code term} sends the bytes of its
 * snapshot (covering the log up to {@code lastIndex}, whose entry has {@code lastTerm}) from
 * {@code offset}, to a follower that needs entries the leader no longer has. {@code totalSize}
 * says when the last chunk has arrived. A follower keeps its state until every chunk is durable.
 */
public record InstallSnapshot(
    String groupId,
    long term,
    String from,
    long lastIndex,
    long lastTerm,
    long offset,
    ByteString data,
    long totalSize)
    implements RaftMessage {

  public boolean last() {
    return offset + data.size() >= totalSize;
  }
}
