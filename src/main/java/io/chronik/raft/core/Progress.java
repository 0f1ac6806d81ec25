package io.chronik.raft.core;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.zip.CRC32C;

/**
 * The leader's view of one follower (Raft §5.3 nextIndex/matchIndex), plus flow control.
 *
 * <p>In <em>probe</em> mode the leader does not know where the follower's log matches, so it
 * sends one AppendEntries at a time and waits. After a success it switches to <em>replicate</em>
 * mode and pipelines up to {@code maxInflight} AppendEntries, optimistically advancing
 * {@code next}. Invariant: {@code match < next}.
 */
public final class Progress {
  private long match;
  private long next;
  private boolean probing = true;
  private boolean probeSent;
  private boolean recentActive;
  private boolean activeLastPeriod;
  /** Last index of each in-flight AppendEntries, oldest first. */
  private final ArrayDeque<Long> inflight = new ArrayDeque<>();
  private final int maxInflight;

  public Progress(long next, int maxInflight) {
    this.next = next;
    this.maxInflight = maxInflight;
  }

  public long match() { return match; }
  public long next() { return next; }
  public boolean probing() { return probing; }
  public int inflightCount() { return inflight.size(); }

  /** Whether another AppendEntries carrying entries may be sent now (never while a snapshot is on its way). */
  public boolean canSend() {
    if (snapshotIndex > 0) return false;
    return probing ? !probeSent : inflight.size() < maxInflight;
  }

  // ---- InstallSnapshot (Raft §7): the follower needs entries the leader compacted away
  //
  // One transfer sends one snapshot from offset 0, one chunk at a time, under an id of its own; a
  // follower continues a transfer only with chunks of the same leader, term and id. With each
  // chunk goes the CRC32C of every byte sent so far in this transfer, so the follower can check
  // that what it assembled is this snapshot. The CRC is kept as the chunks are read for sending
  // (on the actor, one chunk at a time): nothing reads a whole snapshot just to checksum it.
  // Invariant: snapshotOffset is crcEnd (the next chunk is new) or lastChunkOffset (the last
  // chunk is sent again); a follower that holds anything else starts a new transfer.

  /** The index of the snapshot being sent, 0 when none is. */
  private long snapshotIndex;
  private long snapshotOffset;
  /** The id of the current (or last) transfer to this follower; ids grow, so none is reused in a term. */
  private long transfer;
  /** CRC32C of the bytes [0, crcEnd) this transfer sent. */
  private final CRC32C crc = new CRC32C();
  private long crcEnd;
  private long lastChunkOffset;
  /** The follower is of an earlier version: it keys transfers by snapshot only and checks no checksum. */
  private boolean unchecked;

  public boolean snapshotting() { return snapshotIndex > 0; }
  public long snapshotIndex() { return snapshotIndex; }
  public long snapshotOffset() { return snapshotOffset; }
  public long snapshotTransfer() { return transfer; }

  /** Starts sending the snapshot at {@code index} from its first byte, as a new transfer; no entries meanwhile. */
  public void startSnapshot(long index) {
    snapshotIndex = index;
    restartTransfer();
    probing = true;
    probeSent = false;
    inflight.clear();
  }

  private void restartTransfer() {
    transfer++;
    snapshotOffset = 0;
    crc.reset();
    crcEnd = 0;
    lastChunkOffset = -1;
  }

  /**
   * {@code chunk}, read at {@link #snapshotOffset()}, goes out now: returns the CRC32C of the
   * snapshot's bytes from 0 through its end, to send with it ({@code NO_CHECKSUM}, -1, to a
   * follower of an earlier version).
   */
  public long checksumThrough(ByteString chunk) {
    if (unchecked) return -1;
    if (snapshotOffset == crcEnd) {
      crc.update(chunk.asReadOnlyByteBuffer());
      lastChunkOffset = crcEnd;
      crcEnd += chunk.size();
    } else if (snapshotOffset != lastChunkOffset || snapshotOffset + chunk.size() != crcEnd) {
      throw new IllegalStateException("snapshot chunk at " + snapshotOffset + " (" + chunk.size()
          + " bytes) is neither the next one nor the last one sent (" + lastChunkOffset + " to " + crcEnd + ")");
    }
    return crc.getValue();
  }

  /** What {@link SnapshotRules#chunkAnswered} needs to know of the transfer under way. */
  public SnapshotRules.Sending sending() {
    return new SnapshotRules.Sending(transfer, snapshotOffset, crcEnd, unchecked);
  }

  /**
   * The follower expects {@code nextOffset} of transfer {@code answered} next: applies the
   * standard rule ({@link SnapshotRules#chunkAnswered}) and returns whether a chunk should go out now.
   */
  public boolean snapshotAcknowledged(long answered, long nextOffset) {
    return apply(new SnapshotRules().chunkAnswered(sending(), answered, nextOffset), nextOffset);
  }

  /** Executes {@code answer} to a follower's {@code nextOffset}; returns whether a chunk should go out now. */
  public boolean apply(SnapshotRules.ChunkAnswer answer, long nextOffset) {
    switch (answer.next()) {
      case WAIT -> { }
      case NEXT -> snapshotOffset = nextOffset;
      case RESTART -> restartTransfer();
      case CHECKED_FROM_NOW -> {
        unchecked = false;
        restartTransfer();
      }
      case UNCHECKED_RESUME -> {
        unchecked = true;
        snapshotOffset = nextOffset;
      }
    }
    return answer.send();
  }

  /** The follower holds the log up to {@code index} through a snapshot; probe from there. Returns whether match advanced. */
  public boolean snapshotInstalled(long index) {
    snapshotIndex = 0;
    snapshotOffset = 0;
    boolean advanced = index > match;
    match = Math.max(match, index);
    next = match + 1;
    probing = true;
    probeSent = false;
    inflight.clear();
    return advanced;
  }

  /** Gives up the snapshot being sent (it could not be read); the next heartbeat starts again. */
  public void abortSnapshot() {
    snapshotIndex = 0;
    snapshotOffset = 0;
  }

  /** Records an AppendEntries carrying entries up to {@code lastIndex}. */
  public void sent(long lastIndex) {
    if (probing) {
      probeSent = true;
    } else {
      inflight.addLast(lastIndex);
      next = lastIndex + 1;
    }
  }

  /**
   * A success reporting the follower durably holds the leader's log up to {@code matchIndex}.
   * Returns true when match advanced.
   */
  public boolean acknowledged(long matchIndex) {
    while (!inflight.isEmpty() && inflight.peekFirst() <= matchIndex) inflight.pollFirst();
    if (probing) {
      probing = false;
      probeSent = false;
      inflight.clear();
    }
    if (matchIndex <= match) return false;
    match = matchIndex;
    next = Math.max(next, matchIndex + 1);
    return true;
  }

  /**
   * A rejection of the AppendEntries whose previous index was {@code rejectedPrev}. Returns false
   * when it is stale — in probe mode, not the answer to the outstanding probe; in replicate mode,
   * at or below what the follower already matched — in which case nothing changes. Ignoring
   * stale rejections is what keeps duplicated messages from multiplying probes.
   */
  public boolean rejected(long rejectedPrev, long retryFrom) {
    if (probing ? rejectedPrev != next - 1 : rejectedPrev <= match) return false;
    long retry = Math.max(match + 1, Math.min(retryFrom, next));
    // A probe rejected where nothing can move (only a follower that lost acknowledged entries does
    // that) is retried by the next heartbeat, not at once: no hot loop, and duplicates cannot multiply it.
    if (probing && retry == next) return false;
    next = retry;
    probing = true;
    probeSent = false;
    inflight.clear();
    return true;
  }

  /** A heartbeat response in probe mode lets the next probe go out. */
  public void probeAnswered() {
    probeSent = false;
  }

  /** The follower's node is stopping (it said so in its last answer): no leadership for it. */
  private boolean draining;

  public boolean draining() { return draining; }
  public void draining(boolean isDraining) { draining = isDraining; }

  public void markActive() { recentActive = true; }
  public boolean recentActive() { return recentActive; }
  public void resetActive() {
    activeLastPeriod = recentActive;
    recentActive = false;
  }

  /** Heard from in this CheckQuorum period or the one before: alive, whatever the phase of the period. */
  public boolean active() { return recentActive || activeLastPeriod; }
}
