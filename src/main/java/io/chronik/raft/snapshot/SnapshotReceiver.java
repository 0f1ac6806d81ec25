package io.chronik.raft.snapshot;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The storage side of InstallSnapshot: which transfer is being received and where its next chunk
 * goes. A transfer is one leader sending one snapshot; the replica names it with an id. Chunks are
 * taken in order only, and only from that transfer: a chunk at offset 0 of another transfer
 * discards the partial one and starts over, so the bytes of one leader's snapshot are never
 * continued with another's (two leaders' snapshots at one index and term may differ). Nothing
 * received is durable until {@link #complete}, which also checks the bytes against the CRC32C the
 * leader computed; a storage that restarts starts over.
 *
 * <p>The snapshot is saved with the {@link SnapshotMeta} its first chunk came with, so with the
 * configuration the leader sends on every chunk. A transfer is named by its id and the snapshot's
 * index and term; the configuration is no part of the name, so {@link #complete} (or a later
 * chunk) given a meta without it still completes the transfer, and the configuration stays.
 */
public final class SnapshotReceiver {
  /** A checksum a leader of an earlier version did not send: the bytes are taken unchecked. */
  public static final long NO_CHECKSUM = -1;

  /** Where one snapshot's bytes are collected. */
  public interface Sink {
    /** Appends the chunk at {@code offset} if it is the next one; returns the offset expected now. */
    long append(long offset, ByteString chunk) throws IOException;

    long next();

    /** The CRC32C of the bytes appended so far. */
    long checksum();

    /** All {@code size} bytes are here: the snapshot, durable, with the meta the sink was opened for. */
    SnapshotData complete(long size) throws IOException;

    /** Drops what was received. */
    void discard() throws IOException;
  }

  /** Opens a sink for a snapshot. */
  public interface SinkFactory {
    Sink open(SnapshotMeta meta) throws IOException;
  }

  /**
   * What {@link #complete} did: {@code snapshot} is durable now; or it is empty and the sender
   * resumes at {@code next} — 0 with {@code checksumMismatch} when the bytes were not the leader's.
   */
  public record Completion(Optional<SnapshotData> snapshot, long next, boolean checksumMismatch) {}

  private final SinkFactory factory;
  private long transfer;
  private SnapshotMeta receiving;
  private Sink sink;

  public SnapshotReceiver(SinkFactory factory) {
    this.factory = factory;
  }

  /** Stores a chunk; returns the offset of {@code transfer} expected next (0: not receiving it, start over). */
  public long store(long transfer, SnapshotMeta meta, long offset, ByteString chunk) throws IOException {
    if (!receiving(transfer, meta)) {
      if (offset != 0) return 0;
      discard();
      sink = factory.open(meta);
      receiving = meta;
      this.transfer = transfer;
    }
    return sink.append(offset, chunk);
  }

  /**
   * Makes {@code transfer} durable if all its {@code size} bytes are here and their CRC32C is
   * {@code checksum} (unless {@link #NO_CHECKSUM}). Missing bytes change nothing; a checksum
   * mismatch discards them.
   */
  public Completion complete(long transfer, SnapshotMeta meta, long size, long checksum) throws IOException {
    if (!receiving(transfer, meta) || sink.next() != size) return new Completion(Optional.empty(), next(transfer), false);
    if (checksum != NO_CHECKSUM && sink.checksum() != checksum) {
      discard();
      return new Completion(Optional.empty(), 0, true);
    }
    SnapshotData done = sink.complete(size);
    sink = null;
    receiving = null;
    return new Completion(Optional.of(done), size, false);
  }

  /** The offset of {@code transfer} expected next; 0 when it is not the transfer being received. */
  public long next(long transfer) {
    return sink != null && this.transfer == transfer ? sink.next() : 0;
  }

  /** The snapshot a transfer is under way for, if any. */
  public Optional<SnapshotMeta> receiving() {
    return Optional.ofNullable(receiving);
  }

  /** Drops {@code transfer} if it is the one being received (its partial file goes). */
  public void discard(long transfer) throws IOException {
    if (sink != null && this.transfer == transfer) discard();
  }

  /** Drops the partial snapshot, whichever transfer it is. */
  public void discard() throws IOException {
    if (sink != null) sink.discard();
    sink = null;
    receiving = null;
  }

  private boolean receiving(long transfer, SnapshotMeta meta) {
    return sink != null && this.transfer == transfer && meta.sameIndexAndTerm(receiving);
  }

  /** A sink in memory (tests, the simulation, journals without files of their own). */
  public static Sink inMemory(SnapshotMeta meta) {
    return new Sink() {
      private final ByteString.Output out = ByteString.newOutput();
      private final CRC32C crc = new CRC32C();

      @Override
      public long append(long offset, ByteString chunk) {
        if (offset == out.size()) {
          out.write(chunk.toByteArray(), 0, chunk.size());
          crc.update(chunk.asReadOnlyByteBuffer());
        }
        return out.size();
      }

      @Override
      public long next() {
        return out.size();
      }

      @Override
      public long checksum() {
        return crc.getValue();
      }

      @Override
      public SnapshotData complete(long size) {
        return new InMemorySnapshot(meta, out.toByteString());
      }

      @Override
      public void discard() {}
    };
  }
}
