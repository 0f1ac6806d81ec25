package io.chronik.raft.snapshot;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.util.Optional;

/**
 * The storage side of InstallSnapshot: which snapshot is being received and where the next
 * chunk goes. Chunks are taken in order only; a chunk at offset 0 of another snapshot (a new
 * leader's, or a newer one) discards the partial one and starts over. Nothing received is
 * durable until {@link #complete}; a storage that restarts starts over.
 */
public final class SnapshotReceiver {
  /** Where one snapshot's bytes are collected. */
  public interface Sink {
    /** Appends the chunk at {@code offset} if it is the next one; returns the offset expected now. */
    long append(long offset, ByteString chunk) throws IOException;

    long next();

    /** All {@code size} bytes are here: the snapshot, durable. */
    SnapshotData complete(long size) throws IOException;

    /** Drops what was received. */
    void discard() throws IOException;
  }

  /** Opens a sink for a snapshot. */
  public interface SinkFactory {
    Sink open(SnapshotMeta meta) throws IOException;
  }

  private final SinkFactory factory;
  private SnapshotMeta receiving;
  private Sink sink;

  public SnapshotReceiver(SinkFactory factory) {
    this.factory = factory;
  }

  /** Stores a chunk; returns the offset of {@code meta} expected next (0: not receiving it, start over). */
  public long store(SnapshotMeta meta, long offset, ByteString chunk) throws IOException {
    if (!meta.equals(receiving)) {
      if (offset != 0) return 0;
      discard();
      sink = factory.open(meta);
      receiving = meta;
    }
    return sink.append(offset, chunk);
  }

  /**
   * Makes {@code meta} durable if all its {@code size} bytes are here; empty (with nothing
   * changed) when they are not — {@link #next(SnapshotMeta)} says where the sender should resume.
   */
  public Optional<SnapshotData> complete(SnapshotMeta meta, long size) throws IOException {
    if (!meta.equals(receiving) || sink.next() != size) return Optional.empty();
    SnapshotData done = sink.complete(size);
    sink = null;
    receiving = null;
    return Optional.of(done);
  }

  /** The offset of {@code meta} expected next; 0 when it is not the snapshot being received. */
  public long next(SnapshotMeta meta) {
    return meta.equals(receiving) ? sink.next() : 0;
  }

  public void discard() throws IOException {
    if (sink != null) sink.discard();
    sink = null;
    receiving = null;
  }

  /** A sink in memory (tests, the simulation, journals without files of their own). */
  public static Sink inMemory(SnapshotMeta meta) {
    return new Sink() {
      private final ByteString.Output out = ByteString.newOutput();

      @Override
      public long append(long offset, ByteString chunk) {
        if (offset == out.size()) out.write(chunk.toByteArray(), 0, chunk.size());
        return out.size();
      }

      @Override
      public long next() {
        return out.size();
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
