package io.chronik.raft.core;

import java.util.Optional;

/**
 * Snapshots (Raft §7): when a replica takes one, when a leader sends one instead of entries, which chunk of an InstallSnapshot a follower accepts, and when a transfer is abandoned or resumed.
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 *
 * <p>The follower's rules see a transfer as a {@link Transfer} (whose snapshot, sent by whom, in
 * which term, under which id); the bytes, the storage and the state machine stay in the replica.
 */
public class SnapshotRules {

  // ---------------------------------------------------------------- taking snapshots

  /**
   * What a replica knows when it asks whether to take a snapshot: {@code snapshotIndex} is its
   * latest durable snapshot's (0: none); {@code ownSnapshotDue}: it installed a leader's snapshot
   * and replaces the received copy with its own at the next chance; {@code saving}: one is being
   * written; {@code receiving}: a leader's is being received.
   */
  public record Taking(long lastApplied, long snapshotIndex, long bytesSinceSnapshot, boolean ownSnapshotDue,
      boolean saving, boolean receiving) {}

  /**
   * Raft §7: each server snapshots its applied state on its own, once {@code entries} entries or
   * {@code bytes} bytes of command were applied since its last snapshot. Never two at once, and
   * not while a leader's snapshot is being received (that one becomes the base); never a snapshot
   * that is not past the last one.
   */
  public boolean snapshotDue(Taking t, long entries, long bytes) {
    if (t.saving() || t.receiving()) return false;
    boolean thresholdReached = t.lastApplied() - t.snapshotIndex() >= entries || t.bytesSinceSnapshot() >= bytes
        || t.ownSnapshotDue();
    return thresholdReached && t.lastApplied() > t.snapshotIndex();
  }

  /**
   * Raft §7 log compaction, once the snapshot at {@code snapshotIndex} is durable: the entries it
   * covers may go, but {@code retainedEntries} before it stay so that a follower a little behind
   * is caught up by entries rather than a whole snapshot; and nothing not yet applied goes.
   * Returns the index to compact through, or 0 when nothing more may go.
   */
  public long compactTo(long snapshotIndex, int retainedEntries, long lastApplied, long compactedIndex) {
    long upTo = Math.min(snapshotIndex - retainedEntries, lastApplied);
    return upTo > compactedIndex ? upTo : 0;
  }

  // ---------------------------------------------------------------- receiving (follower)

  /**
   * One leader's transfer of one snapshot, as its chunks name it: {@code leader} in {@code term}
   * sends the snapshot of the log through {@code lastIndex}/{@code lastTerm} under transfer
   * {@code id} (ids grow per leader and term).
   */
  public record Transfer(String leader, long term, long id, long lastIndex, long lastTerm) {
    /** Whether {@code chunk} belongs to a transfer its leader replaced with this one. */
    boolean replaces(Transfer chunk) {
      return leader.equals(chunk.leader()) && term == chunk.term() && chunk.id() < id;
    }
  }

  /** The transfer a follower receives: {@code size} bytes in all; {@code completing}: all stored, being installed. */
  public record Receiving(Transfer transfer, long size, boolean completing) {}

  /** Whether a transfer being received goes on, and if not, why. */
  public enum Abandon { KEEP, LEADER_GONE, COMMITTED }

  /**
   * A transfer being received is dropped when nothing will complete it: its leader no longer
   * leads this replica's term (§5.2: a new leader sends its own snapshot or entries), or the
   * entries it covers were committed here meanwhile (§5.4: they agree with the leader's, nothing
   * to install). One being completed is kept: it is the leader's committed state, installable
   * whoever leads now. {@code incoming} null: nothing is received.
   */
  public Abandon abandoned(Receiving incoming, long term, Optional<String> leader, long commitIndex) {
    if (incoming == null || incoming.completing()) return Abandon.KEEP;
    Transfer t = incoming.transfer();
    if (t.term() != term || !leader.equals(Optional.of(t.leader()))) return Abandon.LEADER_GONE;
    if (commitIndex >= t.lastIndex()) return Abandon.COMMITTED;
    return Abandon.KEEP;
  }

  /** What a follower does with one InstallSnapshot chunk. */
  public enum ChunkVerdict {
    /** The snapshot covers only committed entries: answer installed, store nothing. */
    ALREADY_COMMITTED,
    /** Neither stored nor answered (the leader sends again, or the chunk is of a replaced transfer). */
    IGNORE,
    /** Not the start of a transfer this follower receives: answer that it expects offset 0. */
    START_OVER,
    /** The first chunk of a new transfer: the one being received (if any) is dropped, this one stored. */
    NEW_TRANSFER,
    /** The next chunk of the transfer being received: stored. */
    CONTINUE
  }

  /**
   * Raft §7 (Figure 13) receiver, one chunk {@code chunk} at {@code offset}, with {@code incoming}
   * the transfer being received (null: none). A snapshot through a committed index installs
   * nothing (committed entries agree with the leader's, §5.4). Otherwise the bytes stored are one
   * leader's snapshot from its first byte: a chunk at offset 0 that is not of the current
   * transfer starts a new one; any other chunk continues only the transfer of its own leader,
   * term, id and snapshot; a late chunk of a transfer its leader replaced (a lower id) is ignored,
   * as is anything while the received snapshot is being installed.
   */
  public ChunkVerdict onChunk(Receiving incoming, Transfer chunk, long offset, long commitIndex) {
    if (chunk.lastIndex() <= commitIndex) return ChunkVerdict.ALREADY_COMMITTED;
    if (incoming != null && incoming.completing()) return ChunkVerdict.IGNORE;
    if (incoming != null && incoming.transfer().replaces(chunk)) return ChunkVerdict.IGNORE;
    if (incoming != null && incoming.transfer().equals(chunk)) return ChunkVerdict.CONTINUE;
    return offset == 0 ? ChunkVerdict.NEW_TRANSFER : ChunkVerdict.START_OVER;
  }

  /** What a follower does once storage stored a chunk of the transfer it receives. */
  public enum StoredVerdict {
    /** The assembled snapshot is not the leader's (CRC32C): discarded; answer that it expects offset 0. */
    MISMATCH,
    /** Being installed already: nothing to say. */
    WAIT,
    /** Bytes are missing: answer the offset storage expects next (the leader resumes there). */
    RESUME,
    /** Every byte is stored: complete the snapshot (and install it). */
    COMPLETE
  }

  /**
   * After storage stored a chunk and expects {@code nextOffset} next: a checksum mismatch on the
   * last chunk discards the transfer (what was assembled is not the leader's snapshot, byte for
   * byte); fewer than {@code incoming.size()} bytes asks for the rest; all of them completes it.
   */
  public StoredVerdict onChunkStored(Receiving incoming, boolean checksumMismatch, long nextOffset) {
    if (checksumMismatch) return StoredVerdict.MISMATCH;
    if (incoming.completing()) return StoredVerdict.WAIT;
    return nextOffset < incoming.size() ? StoredVerdict.RESUME : StoredVerdict.COMPLETE;
  }

  /**
   * Figure 13 step 7 before a received snapshot through {@code index}/{@code term} becomes the
   * base: whether {@code log} holds entries after it on another branch (its entry at the
   * snapshot's index is of another term). Those were never committed and go, durably, first.
   */
  public boolean conflictsWithLog(long index, long term, RaftLog log) {
    return log.lastIndex() > index && log.termAt(index) != term;
  }

  /** How a follower switches to a leader's snapshot that storage made durable. */
  public enum Install {
    /** It applied past the snapshot meanwhile: keep the state, only compact. */
    ALREADY_APPLIED,
    /** Its log holds the snapshot's last entry: restore, and keep the entries that follow (Figure 13 step 6). */
    KEEP_SUFFIX,
    /** Restore, and the log starts after the snapshot (anything after it disagrees and goes). */
    REPLACE_LOG
  }

  /** Raft §7 Figure 13 steps 6–8 for the snapshot through {@code index}/{@code term}. */
  public Install install(long index, long term, long lastApplied, RaftLog log) {
    if (index <= lastApplied) return Install.ALREADY_APPLIED;
    if (log.lastIndex() >= index && log.termAt(index) == term) return Install.KEEP_SUFFIX;
    return Install.REPLACE_LOG;
  }

  // ---------------------------------------------------------------- sending (leader)

  /**
   * Raft §7 sender: whether the leader starts a new transfer (from offset 0, under a new id) to a
   * follower it sends the snapshot at {@code sendingIndex} (0: none under way) now that its latest
   * snapshot is at {@code latestIndex}: when none is under way, or a newer snapshot replaced the
   * one being sent (a transfer carries one snapshot, never bytes of two).
   */
  public boolean startsTransfer(long sendingIndex, long latestIndex) {
    return sendingIndex != latestIndex;
  }

  /** What a leader does with an InstallSnapshotResponse. */
  public enum Response {
    /** The follower holds the log through the snapshot: progress goes to its index + 1, entries follow. */
    INSTALLED,
    /** An answer about the snapshot being sent: the follower's next offset decides the next chunk. */
    CHUNK,
    /** About no transfer under way (a late or duplicate answer): nothing. */
    IGNORE
  }

  /**
   * Raft §7 sender, one answer: {@code installed} for the snapshot through {@code answeredIndex},
   * while the leader sends the one at {@code sendingIndex} (0: none). An installation counts
   * whatever is being sent (the follower's log reaches that far); an offset counts only for the
   * snapshot being sent.
   */
  public Response onResponse(boolean installed, long answeredIndex, long sendingIndex) {
    if (installed) return Response.INSTALLED;
    if (sendingIndex > 0 && answeredIndex == sendingIndex) return Response.CHUNK;
    return Response.IGNORE;
  }

  /**
   * The transfer a leader sends to one follower: its id, the offset of the chunk it sends (again)
   * now, {@code sentEnd} the end of the bytes it sent so far (and checksummed), {@code unchecked}
   * the follower is of an earlier version (keys transfers by snapshot only, checks no checksum).
   */
  public record Sending(long transfer, long offset, long sentEnd, boolean unchecked) {}

  /** How the leader moves its transfer on an answer ({@code Progress} executes it). */
  public enum Next {
    /** Nothing: a duplicate or older answer, or one about an earlier transfer (the heartbeat resends). */
    WAIT,
    /** The follower stored the last chunk: the next one, at the offset it names. */
    NEXT,
    /** The follower holds something this transfer did not send: a new transfer from offset 0. */
    RESTART,
    /** An upgraded follower answered by transfer id: checked transfers from now on, starting over. */
    CHECKED_FROM_NOW,
    /** A follower of an earlier version (transfer 0): resume wherever its copy ends. */
    UNCHECKED_RESUME
  }

  /** {@code next}, and whether a chunk goes out now. */
  public record ChunkAnswer(Next next, boolean send) {}

  /**
   * Raft §7 sender, one answer about the snapshot being sent: the follower expects
   * {@code nextOffset} of transfer {@code answered} next. The last chunk stored: send the next.
   * It holds something this transfer did not send — nothing (0: its storage restarted or it had
   * not kept the transfer) or an offset the transfer never reached — a new transfer starts from
   * 0. An answer about an earlier transfer, a repeated offset or an older one (a duplicate) waits
   * for the heartbeat's resend, so duplicated answers cannot multiply the chunks in flight.
   */
  public ChunkAnswer chunkAnswered(Sending s, long answered, long nextOffset) {
    if (answered == 0) return new ChunkAnswer(Next.UNCHECKED_RESUME, nextOffset > s.offset());
    if (s.unchecked()) return new ChunkAnswer(Next.CHECKED_FROM_NOW, true);
    if (answered != s.transfer() || nextOffset == s.offset()) return new ChunkAnswer(Next.WAIT, false);
    if (nextOffset == s.sentEnd() && nextOffset > s.offset()) return new ChunkAnswer(Next.NEXT, true);
    if (nextOffset != 0 && nextOffset < s.offset()) return new ChunkAnswer(Next.WAIT, false);
    return new ChunkAnswer(Next.RESTART, true);
  }
}
