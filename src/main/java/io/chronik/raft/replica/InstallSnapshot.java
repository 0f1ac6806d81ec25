package io.chronik.raft.replica;

import com.google.protobuf.ByteString;

/**
 * Raft §7 InstallSnapshot, one chunk at a time: the leader of {@code term} sends the bytes of its
 * snapshot (covering the log up to {@code lastIndex}, whose entry has {@code lastTerm}) from
 * {@code offset}, to a follower that needs entries the leader no longer has. {@code totalSize}
 * says when the last chunk has arrived. A follower keeps its state until every chunk is durable.
 *
 * <p>{@code transfer} is the leader's id of this transfer to this follower (0 from a leader of an
 * earlier version): a follower continues a transfer only with chunks of the same leader, term and
 * transfer, so it never joins the start of one leader's snapshot to the rest of another's.
 * {@code checksum} is the CRC32C of the snapshot's bytes from 0 through the end of {@code data}
 * ({@link io.chronik.raft.snapshot.SnapshotReceiver#NO_CHECKSUM} when {@code transfer} is 0); the
 * follower installs the snapshot only if the bytes it stored match the last chunk's.
 */
public record InstallSnapshot(
    String groupId,
    long term,
    String from,
    long lastIndex,
    long lastTerm,
    long offset,
    ByteString data,
    long totalSize,
    long transfer,
    long checksum)
    implements RaftMessage {

  public boolean last() {
    return offset + data.size() >= totalSize;
  }
}
