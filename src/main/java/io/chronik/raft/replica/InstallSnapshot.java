package io.chronik.raft.replica;

import com.google.protobuf.ByteString;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.snapshot.SnapshotMeta;
import java.util.Objects;
import java.util.Optional;

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
 *
 * <p>{@code config} is the group's configuration the snapshot carries (in force at
 * {@code lastIndex}), of entry {@code configIndex}; sent with every chunk, so the follower saves
 * it with the snapshot whichever chunk opened the transfer. Empty (and 0) for a snapshot of a
 * group of before configurations were in the log, and from a leader of an earlier version.
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
    long checksum,
    Optional<Configuration> config,
    long configIndex)
    implements RaftMessage {

  public InstallSnapshot {
    Objects.requireNonNull(config, "config");
    if (config.isPresent() ? configIndex < 1 || configIndex > lastIndex : configIndex != 0) {
      throw new IllegalArgumentException("a snapshot at " + lastIndex + " cannot carry "
          + (config.isPresent() ? "the configuration of entry " + configIndex : "configuration index " + configIndex));
    }
  }

  /** A chunk of a snapshot that carries no configuration. */
  public InstallSnapshot(String groupId, long term, String from, long lastIndex, long lastTerm, long offset,
      ByteString data, long totalSize, long transfer, long checksum) {
    this(groupId, term, from, lastIndex, lastTerm, offset, data, totalSize, transfer, checksum, Optional.empty(), 0);
  }

  /** The snapshot this chunk is of, configuration included: what the follower saves. */
  public SnapshotMeta meta() {
    return new SnapshotMeta(lastIndex, lastTerm, config, configIndex);
  }

  public boolean last() {
    return offset + data.size() >= totalSize;
  }
}
