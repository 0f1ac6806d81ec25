package io.chronik.raft.records;

import com.google.protobuf.ByteString;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotMeta;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A record log's snapshot as a follower receives it: a header (the segments' offsets and sizes),
 * then the segments' bytes one after another — read straight from frozen views of the segment
 * files, never gathered in memory. Random access by offset, so an interrupted transfer resumes
 * where the follower stopped.
 */
public final class SegmentsExport implements SnapshotData, Closeable {
  private static final int COPY_BUFFER = 64 * 1024;
  private final SnapshotMeta meta;
  private final ByteString header;
  private final List<Segment> segments;
  private final long size;

  public SegmentsExport(SnapshotMeta meta, ByteString header, List<Segment> frozenSegments) {
    this.meta = meta;
    this.header = header;
    this.segments = List.copyOf(frozenSegments);
    long total = header.size();
    for (Segment s : segments) total += s.size();
    this.size = total;
  }

  @Override
  public SnapshotMeta meta() {
    return meta;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public ByteString read(long offset, int maxBytes) throws IOException {
    ByteString.Output out = ByteString.newOutput((int) Math.min(maxBytes, Math.max(0, size - offset)));
    copy(offset, Math.min(maxBytes, Math.max(0, size - offset)), out);
    return out.toByteString();
  }

  /** Writes {@code header} and then every byte of {@code segments} to {@code out}. */
  static void writeTo(ByteString header, List<Segment> segments, OutputStream out) throws IOException {
    long total = header.size();
    for (Segment s : segments) total += s.size();
    copy(header, segments, 0, total, out);
  }

  private void copy(long from, long length, OutputStream out) throws IOException {
    copy(header, segments, from, length, out);
  }

  private static void copy(ByteString header, List<Segment> segments, long from, long length, OutputStream out)
      throws IOException {
    long at = from;
    long end = from + length;
    if (at < header.size()) {
      int n = (int) Math.min(header.size(), end) - (int) at;
      header.substring((int) at, (int) at + n).writeTo(out);
      at += n;
    }
    long pieceStart = header.size();
    ByteBuffer buf = ByteBuffer.allocate(COPY_BUFFER);
    for (Segment s : segments) {
      long pieceEnd = pieceStart + s.size();
      while (at < end && at < pieceEnd) {
        buf.clear().limit((int) Math.min(COPY_BUFFER, Math.min(end, pieceEnd) - at));
        s.read(at - pieceStart, buf);
        out.write(buf.array(), 0, buf.limit());
        at += buf.limit();
      }
      pieceStart = pieceEnd;
      if (at >= end) break;
    }
  }

  @Override
  public InputStream open() throws IOException {
    return new InputStream() {
      private long at;
      private ByteString chunk = ByteString.EMPTY;
      private int inChunk;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (inChunk == chunk.size()) {
          if (at >= size) return -1;
          chunk = SegmentsExport.this.read(at, COPY_BUFFER);
          at += chunk.size();
          inChunk = 0;
        }
        int n = Math.min(len, chunk.size() - inChunk);
        chunk.copyTo(b, inChunk, off, n);
        inChunk += n;
        return n;
      }
    };
  }

  @Override
  public void close() throws IOException {
    for (Segment s : segments) s.close();
  }
}
