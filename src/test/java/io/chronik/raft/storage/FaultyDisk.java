package io.chronik.raft.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The disk under a {@link SegmentedLog}, injected as its {@link SegmentedLog.ChannelOpener}: real
 * files, whose writes and forces fail the way a full or failing disk makes them fail while
 * {@link #fail} says so. The storage under test runs on another thread than the test that sets
 * the fault, hence the atomics.
 */
final class FaultyDisk implements SegmentedLog.ChannelOpener {
  /** How writes fail. */
  enum Fault {
    /** Writes succeed. */
    NONE,
    /** ENOSPC: a write writes nothing and throws. */
    FULL,
    /** ENOSPC in the middle of a record: a write writes part of its bytes, then throws. */
    TORN,
    /** EIO on fsync: writes reach the file, forcing them throws. */
    FORCE_FAILS
  }

  private final AtomicReference<Fault> fault = new AtomicReference<>(Fault.NONE);
  private final AtomicInteger failures = new AtomicInteger();

  void fail(Fault f) {
    fault.set(f);
  }

  /** How many writes or forces have thrown so far. */
  int failures() {
    return failures.get();
  }

  @Override
  public FileChannel open(Path path, OpenOption... options) throws IOException {
    return new Channel(FileChannel.open(path, options));
  }

  private IOException failure(String message) {
    failures.incrementAndGet();
    return new IOException(message);
  }

  private int write(ByteBuffer src, IoWrite write) throws IOException {
    Fault f = fault.get();
    if (f == Fault.FULL || (f == Fault.TORN && src.remaining() < 2)) throw failure("No space left on device");
    if (f != Fault.TORN) return write.apply(src);
    int limit = src.limit();
    src.limit(src.position() + src.remaining() / 2);
    try {
      write.apply(src);
    } finally {
      src.limit(limit);
    }
    throw failure("No space left on device");
  }

  @FunctionalInterface
  private interface IoWrite {
    int apply(ByteBuffer src) throws IOException;
  }

  /** A real channel whose writes and forces obey the fault of the moment. */
  private final class Channel extends FileChannel {
    private final FileChannel real;

    Channel(FileChannel real) {
      this.real = real;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return FaultyDisk.this.write(src, real::write);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return FaultyDisk.this.write(src, b -> real.write(b, position));
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long written = 0;
      for (int i = offset; i < offset + length; i++) written += write(srcs[i]);
      return written;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (fault.get() == Fault.FORCE_FAILS) throw failure("Input/output error");
      real.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return real.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return real.read(dst, position);
    }

    @Override
    public long position() throws IOException {
      return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      real.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      real.truncate(size); // freeing space works on a full disk
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      throw new UnsupportedOperationException("the log writes through write()");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new UnsupportedOperationException("the log does not map its files");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      real.close();
    }
  }
}
