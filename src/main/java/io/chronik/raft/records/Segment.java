package io.chronik.raft.records;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes of one record-log segment: appended at the end, read at any position below
 * {@link #size()}. A file ({@link FileSegment}) on a node, or memory ({@link MemorySegment}) in
 * tests and in-process demos.
 */
public interface Segment extends Closeable {
  /** Appends all of {@code src} at the end. */
  void append(ByteBuffer src) throws IOException;

  /** Fills {@code dst} with the bytes from {@code position}; fails when they are not all there. */
  void read(long position, ByteBuffer dst) throws IOException;

  long size();

  /** Cuts the segment to {@code size} bytes (restoring a checkpoint drops what came after it). */
  void truncate(long size) throws IOException;

  /** Makes every appended byte durable. */
  void force() throws IOException;

  /**
   * A view of the first {@link #size()} bytes that stays readable from another thread while this
   * segment grows or is deleted (a snapshot being written or streamed to a follower).
   */
  Segment frozenView() throws IOException;

  /** Removes the segment; a {@link #frozenView()} taken before stays readable. */
  void delete() throws IOException;
}
