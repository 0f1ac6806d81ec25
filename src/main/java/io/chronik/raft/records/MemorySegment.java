package io.chronik.raft.records;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A segment in memory, in blocks that never move once written, so a {@link #frozenView()} (a copy
 * of the block references) reads the same bytes while this segment goes on growing.
 */
final class MemorySegment implements Segment {
  private static final int BLOCK = 64 * 1024;
  private byte[][] blocks = new byte[4][];
  private long size;
  private final boolean frozen;

  MemorySegment() {
    this.frozen = false;
  }

  private MemorySegment(byte[][] blocks, long size) {
    this.blocks = blocks;
    this.size = size;
    this.frozen = true;
  }

  @Override
  public void append(ByteBuffer src) throws IOException {
    if (frozen) throw new IOException("a frozen view of a segment cannot grow");
    while (src.hasRemaining()) {
      int block = (int) (size / BLOCK);
      int at = (int) (size % BLOCK);
      if (block >= blocks.length) blocks = Arrays.copyOf(blocks, blocks.length * 2);
      if (blocks[block] == null) blocks[block] = new byte[BLOCK];
      int n = Math.min(BLOCK - at, src.remaining());
      src.get(blocks[block], at, n);
      size += n;
    }
  }

  @Override
  public void read(long position, ByteBuffer dst) throws IOException {
    if (position + dst.remaining() > size) {
      throw new EOFException("segment ends at " + size + ", needed bytes up to " + (position + dst.remaining()));
    }
    long at = position;
    while (dst.hasRemaining()) {
      int block = (int) (at / BLOCK);
      int off = (int) (at % BLOCK);
      int n = Math.min(BLOCK - off, dst.remaining());
      dst.put(blocks[block], off, n);
      at += n;
    }
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void truncate(long newSize) {
    if (newSize >= size) return;
    // Later blocks may be shared with frozen views: replace, never overwrite, what is cut.
    int keep = (int) ((newSize + BLOCK - 1) / BLOCK);
    byte[][] copy = Arrays.copyOf(blocks, Math.max(4, blocks.length));
    for (int i = keep; i < copy.length; i++) copy[i] = null;
    if (newSize % BLOCK != 0) copy[keep - 1] = Arrays.copyOf(blocks[keep - 1], BLOCK);
    blocks = copy;
    size = newSize;
  }

  @Override
  public void force() {}

  @Override
  public Segment frozenView() {
    return new MemorySegment(blocks.clone(), size);
  }

  @Override
  public void delete() {
    blocks = new byte[4][];
    size = 0;
  }

  @Override
  public void close() {}
}
