package io.chronik.raft.records;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A segment file. Appends are not forced one by one: the Raft log is what makes a write
 * durable; a record log forces its files only when a snapshot is about to refer to them.
 */
final class FileSegment implements Segment {
  private final Path path;
  private final FileChannel channel;
  private final boolean writable;
  private long size;
  /** Set before the channel closes, so a checkpoint forcing it on another thread knows why it closed. */
  private volatile boolean deleted;

  private FileSegment(Path path, FileChannel channel, boolean writable, long size) {
    this.path = path;
    this.channel = channel;
    this.writable = writable;
    this.size = size;
  }

  static FileSegment create(Path path) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    return new FileSegment(path, ch, true, 0);
  }

  static FileSegment open(Path path) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return new FileSegment(path, ch, true, ch.size());
  }

  @Override
  public void append(ByteBuffer src) throws IOException {
    if (!writable) throw new IOException(path + " is a read-only view");
    long start = size;
    try {
      while (src.hasRemaining()) size += channel.write(src, size);
    } catch (IOException e) {
      // A disk that filled up mid-batch leaves part of it: cut it back, so the segment still ends
      // with a whole batch (a restart's checkpoint restore would cut it too).
      try {
        channel.truncate(start);
        size = start;
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw new IOException("appending to " + path + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void read(long position, ByteBuffer dst) throws IOException {
    long at = position;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, at);
      if (n < 0) throw new EOFException(path + " ends at " + at + ", needed " + dst.remaining() + " more bytes");
      at += n;
    }
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void truncate(long newSize) throws IOException {
    channel.truncate(newSize);
    size = Math.min(size, newSize);
  }

  /** Forcing a segment that retention deleted meanwhile is a no-op: no restore needs it. */
  @Override
  public void force() throws IOException {
    try {
      channel.force(false);
    } catch (ClosedChannelException e) {
      if (!deleted) throw e;
    }
  }

  @Override
  public Segment frozenView() throws IOException {
    return frozen(path, size);
  }

  /** A read-only view of the first {@code size} bytes of the file at {@code path}. */
  static FileSegment frozen(Path path, long size) throws IOException {
    return new FileSegment(path, FileChannel.open(path, StandardOpenOption.READ), false, size);
  }

  @Override
  public void delete() throws IOException {
    deleted = true;
    channel.close();
    Files.deleteIfExists(path);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
