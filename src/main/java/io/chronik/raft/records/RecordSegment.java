package io.chronik.raft.records;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * One segment of a record log: its batches in a {@link Segment}, and a sparse index in memory
 * (one entry per {@value #INDEX_INTERVAL} bytes, offset → position, as Kafka's) so a read finds
 * its place without scanning the segment. The records themselves are never kept on the heap.
 */
public final class RecordSegment {
  static final int INDEX_INTERVAL = 4096;
  private static final int SCAN_BUFFER = 1 << 20;

  private final long baseOffset;
  private final Segment bytes;
  private long endOffset;
  private long firstAppendTimeMs;
  private long maxAppendTimeMs;
  private long[] indexOffsets = new long[8];
  private int[] indexPositions = new int[8];
  private int indexSize;
  private long lastIndexed = -INDEX_INTERVAL;

  /** What a snapshot records of a segment: its offsets, size and append times. */
  public record State(long baseOffset, long endOffset, long size, long firstAppendTimeMs, long maxAppendTimeMs) {}

  RecordSegment(long baseOffset, Segment bytes) {
    this.baseOffset = baseOffset;
    this.bytes = bytes;
    this.endOffset = baseOffset;
  }

  /**
   * Reads the first {@code size} bytes of {@code bytes} back (a checkpoint's or a received
   * snapshot's segment): checks every batch's CRC and offsets, rebuilds the index, and cuts off
   * whatever follows. Fails, naming the segment and position, on any damage.
   */
  static RecordSegment recover(State expected, Segment bytes) throws IOException {
    if (bytes.size() < expected.size()) {
      throw new IOException(bytes + " holds " + bytes.size() + " bytes, the snapshot refers to " + expected.size());
    }
    if (bytes.size() > expected.size()) bytes.truncate(expected.size());
    RecordSegment s = new RecordSegment(expected.baseOffset(), bytes);
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(SCAN_BUFFER, Math.max(expected.size(), RecordBatch.HEADER)));
    long pos = 0;
    while (pos < expected.size()) {
      buf.clear().limit((int) Math.min(buf.capacity(), expected.size() - pos));
      bytes.read(pos, buf);
      int at = 0;
      while (at + RecordBatch.HEADER <= buf.limit()) {
        RecordBatch.Header h = RecordBatch.Header.parse(buf, at);
        if (!h.plausible(s.endOffset) || pos + at + h.size() > expected.size()) throw damaged(bytes, pos + at);
        if (at + h.size() > buf.limit()) {
          if (at == 0) buf = ByteBuffer.allocate(h.size()); // a batch larger than the buffer
          break;
        }
        if (RecordBatch.crc(buf.array(), at + RecordBatch.PREFIX, h.length()) != h.crc()) {
          throw damaged(bytes, pos + at);
        }
        s.indexed(pos + at, h);
        at += h.size();
      }
      if (at == 0 && pos + RecordBatch.HEADER > expected.size()) throw damaged(bytes, pos);
      pos += at;
    }
    if (s.endOffset != expected.endOffset()) {
      throw new IOException(bytes + " ends at offset " + s.endOffset + ", the snapshot says " + expected.endOffset());
    }
    s.firstAppendTimeMs = expected.firstAppendTimeMs();
    s.maxAppendTimeMs = expected.maxAppendTimeMs();
    return s;
  }

  private static IOException damaged(Segment bytes, long position) {
    return new IOException("damaged record batch in " + bytes + " at byte " + position);
  }

  private void indexed(long position, RecordBatch.Header h) {
    if (position - lastIndexed >= INDEX_INTERVAL) {
      if (indexSize == indexOffsets.length) {
        indexOffsets = Arrays.copyOf(indexOffsets, indexSize * 2);
        indexPositions = Arrays.copyOf(indexPositions, indexSize * 2);
      }
      indexOffsets[indexSize] = h.baseOffset();
      indexPositions[indexSize] = (int) position;
      indexSize++;
      lastIndexed = position;
    }
    endOffset = h.endOffset();
  }

  /** Appends a batch whose first record gets offset {@link #endOffset()}. */
  void append(List<ByteString> records, long appendTimeMs) throws IOException {
    ByteBuffer batch = RecordBatch.encode(endOffset, records, appendTimeMs);
    long position = bytes.size();
    bytes.append(batch);
    indexed(position, RecordBatch.Header.parse(batch, 0));
    if (firstAppendTimeMs == 0) firstAppendTimeMs = appendTimeMs;
    maxAppendTimeMs = Math.max(maxAppendTimeMs, appendTimeMs);
  }

  /**
   * Hands the records from {@code offset} to {@code sink} in order until it says stop; returns
   * false when {@code sink} stopped, true when this segment ran out first.
   */
  boolean read(long offset, RecordSink sink) throws IOException {
    return walk(offset, (h, batch) -> {
      int at = RecordBatch.HEADER;
      for (long o = h.baseOffset(); o < h.endOffset(); o++) {
        int len = batch.getInt(at);
        if (o >= offset && !sink.accept(ByteString.copyFrom(batch.array(), at + 4, len))) return false;
        at += 4 + len;
      }
      return true;
    });
  }

  /**
   * Hands each batch that holds an offset at or after {@code offset} to {@code sink}, as its
   * offsets and its first record, until it says stop; returns as {@link #read} does. For owners
   * that store one unit per batch and let it span the batch's offsets (a Kafka record batch).
   */
  boolean readBatches(long offset, BatchSink sink) throws IOException {
    return walk(offset, (h, batch) -> h.count() == 0 || sink.accept(h.baseOffset(), h.count(),
        ByteString.copyFrom(batch.array(), RecordBatch.HEADER + 4, batch.getInt(RecordBatch.HEADER))));
  }

  /** A whole batch, its CRC checked; answers whether the walk goes on. */
  private interface BatchVisitor {
    boolean visit(RecordBatch.Header header, ByteBuffer batch);
  }

  /** Visits the batches holding offsets from {@code offset}, in order; false when the visitor stopped. */
  private boolean walk(long offset, BatchVisitor visitor) throws IOException {
    int slot = floorIndex(offset);
    if (slot < 0) return true;
    long pos = indexPositions[slot];
    ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER);
    long size = bytes.size();
    while (pos < size) {
      header.clear();
      bytes.read(pos, header);
      RecordBatch.Header h = RecordBatch.Header.parse(header, 0);
      if (h.baseOffset() >= endOffset) break; // never past what this segment says it holds
      if (h.endOffset() > offset) {
        ByteBuffer batch = ByteBuffer.allocate(h.size());
        bytes.read(pos, batch);
        if (RecordBatch.crc(batch.array(), RecordBatch.PREFIX, h.length()) != h.crc()) throw damaged(bytes, pos);
        if (!visitor.visit(h, batch)) return false;
      }
      pos += h.size();
    }
    return true;
  }

  /** Receives batches; {@link #accept} answers whether it wants more. */
  @FunctionalInterface
  public interface BatchSink {
    boolean accept(long baseOffset, int count, ByteString firstRecord);
  }

  /** Receives records; {@link #accept} answers whether it wants more. */
  @FunctionalInterface
  public interface RecordSink {
    boolean accept(ByteString record);
  }

  private int floorIndex(long offset) {
    int i = Arrays.binarySearch(indexOffsets, 0, indexSize, offset);
    return i >= 0 ? i : -i - 2;
  }

  public long baseOffset() {
    return baseOffset;
  }

  public long endOffset() {
    return endOffset;
  }

  public long size() {
    return bytes.size();
  }

  long firstAppendTimeMs() {
    return firstAppendTimeMs;
  }

  long maxAppendTimeMs() {
    return maxAppendTimeMs;
  }

  Segment bytes() {
    return bytes;
  }

  State state() {
    return new State(baseOffset, endOffset, bytes.size(), firstAppendTimeMs, maxAppendTimeMs);
  }
}
