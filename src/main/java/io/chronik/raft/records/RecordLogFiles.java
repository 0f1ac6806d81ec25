package io.chronik.raft.records;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.StateSnapshot;
import io.chronik.raft.statemachine.SnapshotFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The segments of one record-log partition (what {@code RecordLogStateMachine} stores): appending,
 * rolling, retention, reading by offset, and the three snapshot forms.
 *
 * <ul>
 *   <li>{@value #CHECKPOINT} (on disk): the generation and each segment's size. Taking it forces the
 *       files; nothing is copied. A restart truncates the files to those sizes and replays the log.
 *   <li>{@value #SEGMENTS}: the same header followed by the segments' bytes — what a follower
 *       receives, and what an in-memory record log stores.
 *   <li>{@value #LEGACY}: the record list of earlier versions, still read.
 * </ul>
 *
 * <p>Format version 2 of the first two ends the header with the owner's own state (opaque here:
 * the record log's idempotent producers), so that it travels and restores with the segments.
 *
 * <p>Segments roll and are deleted by rules that depend only on the applied commands (sizes and
 * the append times the commands carry), so every replica's segments end at the same offsets.
 */
public final class RecordLogFiles {
  static final String CHECKPOINT = "record-log-checkpoint";
  static final String SEGMENTS = "record-log-segments";
  static final String LEGACY = "record-log";
  private static final int COPY_CHUNK = 64 * 1024;
  /** Headers of this version end with the owner's state ({@code extra}). */
  private static final int WITH_EXTRA = 2;

  private final long retentionBytes;
  private final long maxAgeMs;
  private final int segmentBytes;
  /** Null: segments in memory. */
  private final PartitionDir dir;
  private final List<RecordSegment> segments = new ArrayList<>();
  /** The log start offset while there are no segments (then also the high watermark). */
  private long emptyStart;
  private long bytes;

  public RecordLogFiles(long retentionBytes, Duration maxAge, int segmentBytes, PartitionDir dir) {
    if (segmentBytes < 1024 || segmentBytes > (1 << 30)) {
      throw new IllegalArgumentException("segment-bytes must be between 1 KiB and 1 GiB, got " + segmentBytes);
    }
    this.retentionBytes = retentionBytes;
    this.maxAgeMs = maxAge.toMillis();
    this.segmentBytes = segmentBytes;
    this.dir = dir;
  }

  public long startOffset() {
    return segments.isEmpty() ? emptyStart : segments.get(0).baseOffset();
  }

  public long highWatermark() {
    return segments.isEmpty() ? emptyStart : last().endOffset();
  }

  public int segmentCount() {
    return segments.size();
  }

  /** Bytes the segments hold (batch headers included). */
  public long bytes() {
    return bytes;
  }

  private RecordSegment last() {
    return segments.get(segments.size() - 1);
  }

  // ---------------------------------------------------------------- writing

  /** Appends a batch at the high watermark, rolling and deleting segments as the limits say. */
  public void append(List<ByteString> records, long appendTimeMs) throws IOException {
    int size = RecordBatch.encodedSize(records);
    if (segments.isEmpty() || mustRoll(last(), size, appendTimeMs)) roll();
    RecordSegment active = last();
    long before = active.size();
    active.append(records, appendTimeMs);
    bytes += active.size() - before;
    enforceRetention(appendTimeMs);
  }

  private boolean mustRoll(RecordSegment active, int batchBytes, long now) {
    if (active.size() == 0) return false;
    if (active.size() + batchBytes > segmentBytes) return true;
    // A quiet partition still rolls, so that retention by age can delete what it wrote.
    return maxAgeMs > 0 && now > 0 && active.firstAppendTimeMs() > 0 && active.firstAppendTimeMs() < now - maxAgeMs;
  }

  private void roll() throws IOException {
    long base = highWatermark();
    Segment bytesOf = dir == null ? new MemorySegment() : dir.create(base);
    segments.add(new RecordSegment(base, bytesOf));
  }

  /** Deletes the oldest closed segments while over the byte limit or older than the age limit. */
  private void enforceRetention(long now) {
    while (segments.size() > 1) {
      RecordSegment oldest = segments.get(0);
      boolean tooBig = retentionBytes > 0 && bytes > retentionBytes;
      boolean tooOld = maxAgeMs > 0 && now > 0 && oldest.maxAppendTimeMs() > 0 && oldest.maxAppendTimeMs() < now - maxAgeMs;
      if (!tooBig && !tooOld) return;
      segments.remove(0);
      bytes -= oldest.size();
      try {
        oldest.bytes().delete();
      } catch (IOException e) {
        // The records are gone either way (the start offset moved); a file left behind is
        // removed with its generation.
      }
    }
  }

  // ---------------------------------------------------------------- reading

  /** Hands the records from {@code offset} (>= the start offset) to {@code sink} until it has enough. */
  public void read(long offset, RecordSegment.RecordSink sink) throws IOException {
    int i = segmentOf(offset);
    for (; i >= 0 && i < segments.size(); i++) {
      RecordSegment s = segments.get(i);
      if (!s.read(Math.max(offset, s.baseOffset()), sink)) return;
    }
  }

  /** Hands the batches that hold offsets from {@code offset} (>= the start offset) to {@code sink} until it has enough. */
  public void readBatches(long offset, RecordSegment.BatchSink sink) throws IOException {
    int i = segmentOf(offset);
    for (; i >= 0 && i < segments.size(); i++) {
      RecordSegment s = segments.get(i);
      if (!s.readBatches(Math.max(offset, s.baseOffset()), sink)) return;
    }
  }

  private int segmentOf(long offset) {
    int lo = 0;
    int hi = segments.size() - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (segments.get(mid).baseOffset() <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  // ---------------------------------------------------------------- snapshots

  /**
   * Freezes the partition as it is now (on the replica's actor; cheap either way), with
   * {@code extra}, the owner's state at this point, which {@link #restore} gives back.
   */
  public StateSnapshot snapshot(ByteString extra) {
    List<RecordSegment.State> states = segments.stream().map(RecordSegment::state).toList();
    long start = startOffset();
    if (dir == null) {
      List<Segment> views = new ArrayList<>();
      for (RecordSegment s : segments) views.add(frozen(s.bytes()));
      ByteString header = header(SEGMENTS, "", start, states, extra);
      return out -> SegmentsExport.writeTo(header, views, out);
    }
    String generation;
    try {
      generation = segments.isEmpty() ? "" : dir.generationName();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Segment> live = segments.stream().map(RecordSegment::bytes).toList();
    ByteString header = header(CHECKPOINT, generation, start, states, extra);
    return out -> {
      for (Segment s : live) s.force();
      dir.forceDirectories();
      header.writeTo(out);
    };
  }

  private static Segment frozen(Segment s) {
    try {
      return s.frozenView();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ByteString header(String kind, String generation, long start, List<RecordSegment.State> states,
      ByteString extra) {
    ByteString.Output out = ByteString.newOutput();
    try {
      CodedOutputStream c = SnapshotFormat.begin(out, kind, WITH_EXTRA);
      if (kind.equals(CHECKPOINT)) c.writeStringNoTag(generation);
      c.writeUInt64NoTag(start);
      c.writeUInt32NoTag(states.size());
      for (RecordSegment.State s : states) {
        c.writeUInt64NoTag(s.baseOffset());
        c.writeUInt64NoTag(s.endOffset());
        c.writeUInt64NoTag(s.size());
        c.writeInt64NoTag(s.firstAppendTimeMs());
        c.writeInt64NoTag(s.maxAppendTimeMs());
      }
      c.writeBytesNoTag(extra);
      c.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory
    }
    return out.toByteString();
  }

  private record Header(String generation, long start, List<RecordSegment.State> states, ByteString extra) {}

  private static Header readHeader(String kind, int version, CodedInputStream c) throws IOException {
    String generation = kind.equals(CHECKPOINT) ? c.readString() : "";
    long start = c.readUInt64();
    int n = c.readUInt32();
    List<RecordSegment.State> states = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      states.add(new RecordSegment.State(c.readUInt64(), c.readUInt64(), c.readUInt64(), c.readInt64(), c.readInt64()));
    }
    ByteString extra = version >= WITH_EXTRA ? c.readBytes() : ByteString.EMPTY;
    return new Header(generation, start, states, extra);
  }

  /**
   * Replaces the (empty) partition with a snapshot of any of the three forms; returns the owner's
   * state it carried (empty for snapshots of earlier versions).
   */
  public ByteString restore(InputStream in) throws IOException {
    SnapshotFormat.Opened opened = SnapshotFormat.openAny(in);
    switch (opened.kind()) {
      case CHECKPOINT -> {
        Header h = readHeader(CHECKPOINT, opened.version(), opened.coded());
        restoreCheckpoint(h);
        return h.extra();
      }
      case SEGMENTS -> {
        Header h = readHeader(SEGMENTS, opened.version(), opened.coded());
        restoreSegments(h, opened.coded());
        return h.extra();
      }
      case LEGACY -> {
        restoreLegacy(opened.coded());
        return ByteString.EMPTY;
      }
      default -> throw new IOException("not a record-log snapshot (it is a '" + opened.kind() + "' snapshot)");
    }
  }

  /** This node's files, truncated to the checkpoint; segments it lists that retention deleted since are skipped. */
  private void restoreCheckpoint(Header h) throws IOException {
    if (dir == null) throw new IOException("a record-log checkpoint refers to files; an in-memory record log cannot restore it");
    emptyStart = h.start();
    if (h.generation().isEmpty()) return;
    dir.adopt(h.generation());
    Set<Long> listed = new HashSet<>();
    for (RecordSegment.State s : h.states()) {
      listed.add(s.baseOffset());
      Optional<Segment> file = dir.open(s.baseOffset());
      if (file.isEmpty()) {
        if (!segments.isEmpty()) {
          throw new IOException("record file " + PartitionDir.fileName(s.baseOffset()) + " of the snapshot is missing in "
              + dir.root().resolve(h.generation()) + " although earlier ones are there");
        }
        emptyStart = s.endOffset(); // deleted by retention after the checkpoint was taken
        continue;
      }
      RecordSegment recovered = RecordSegment.recover(s, file.get());
      segments.add(recovered);
      bytes += recovered.size();
    }
    for (long base : dir.segmentFiles()) {
      if (!listed.contains(base)) dir.deleteSegmentFile(base); // rolled after the checkpoint: replayed from the log
    }
  }

  private void restoreSegments(Header h, CodedInputStream c) throws IOException {
    emptyStart = h.start();
    for (RecordSegment.State s : h.states()) {
      Segment target = dir == null ? new MemorySegment() : dir.create(s.baseOffset());
      long left = s.size();
      while (left > 0) {
        SnapshotFormat.keepReading(c);
        byte[] chunk = c.readRawBytes((int) Math.min(COPY_CHUNK, left));
        target.append(ByteBuffer.wrap(chunk));
        left -= chunk.length;
      }
      RecordSegment recovered = RecordSegment.recover(s, target);
      segments.add(recovered);
      bytes += recovered.size();
    }
    if (dir != null && segments.isEmpty()) dir.generationName(); // a fresh generation: the old ones go
  }

  /** Earlier versions' snapshots: every record, then the batches (end offset, bytes, append time). */
  private void restoreLegacy(CodedInputStream c) throws IOException {
    emptyStart = c.readUInt64();
    long count = c.readUInt64();
    List<ByteString> records = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      SnapshotFormat.keepReading(c);
      records.add(c.readBytes());
    }
    long batches = c.readUInt64();
    int from = 0;
    for (long i = 0; i < batches; i++) {
      long end = c.readUInt64();
      c.readUInt64(); // bytes: recomputed
      long appendTime = c.readInt64();
      int to = (int) (end - emptyStart);
      append(records.subList(from, to), appendTime);
      from = to;
    }
  }

  /**
   * What a follower receives for {@code stored}: a checkpoint becomes the segments' bytes, read
   * from read-only views of this node's files opened now (so retention deleting one meanwhile
   * does not break the transfer); other forms are sent as they are.
   */
  public SnapshotData transferable(SnapshotData stored) throws IOException {
    Header h;
    try (InputStream in = stored.open()) {
      SnapshotFormat.Opened opened = SnapshotFormat.openAny(in);
      if (!opened.kind().equals(CHECKPOINT)) return stored;
      h = readHeader(CHECKPOINT, opened.version(), opened.coded());
    }
    if (dir == null) throw new IOException("a record-log checkpoint refers to files; this record log has none");
    List<Segment> views = new ArrayList<>();
    List<RecordSegment.State> states = new ArrayList<>();
    long start = h.start();
    try {
      for (RecordSegment.State s : h.states()) {
        Optional<Segment> view = dir.openFrozen(h.generation(), s.baseOffset(), s.size());
        if (view.isEmpty()) {
          if (!views.isEmpty()) throw new IOException("record file of offset " + s.baseOffset() + " is missing");
          start = s.endOffset();
          continue;
        }
        views.add(view.get());
        states.add(s);
      }
    } catch (IOException e) {
      for (Segment v : views) v.close();
      throw e;
    }
    return new SegmentsExport(stored.meta(), header(SEGMENTS, "", start, states, h.extra()), views);
  }

  /** Closes the files (a replica stopping, or switching to another instance). */
  public void close() {
    for (RecordSegment s : segments) {
      try {
        s.bytes().close();
      } catch (IOException e) {
        // nothing left to do with it
      }
    }
  }

  @Override
  public String toString() {
    return dir == null ? "in-memory record log" : dir.root().toString();
  }
}
