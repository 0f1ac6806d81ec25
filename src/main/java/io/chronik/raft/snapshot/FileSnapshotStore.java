package io.chronik.raft.snapshot;

import com.google.protobuf.ByteString;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * One replica's snapshots as files: {@code snapshot-<index>-<term>.snap} holds the state bytes
 * followed by a trailer (their length, CRC32C and a magic number). A snapshot is written to a
 * temporary file, forced, renamed into place and the directory forced, so after a crash there
 * is either the whole new snapshot or the previous one. Only the latest is kept.
 *
 * <p>A snapshot whose trailer or checksum does not match is never used: {@link #latest()} throws
 * {@link CorruptSnapshotException} (the log entries it replaced are gone, so falling back to an
 * older snapshot would silently lose state).
 */
public final class FileSnapshotStore {
  private static final Pattern NAME = Pattern.compile("snapshot-(\\d+)-(\\d+)\\.snap");
  private static final long MAGIC = 0x4348524e534e4150L; // "CHRNSNAP"
  static final int TRAILER_BYTES = 8 + 4 + 8;

  private final Path dir;

  public FileSnapshotStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /** Thrown for a snapshot file that is not whole; the message says which and what to do. */
  public static final class CorruptSnapshotException extends IOException {
    public CorruptSnapshotException(String message) {
      super(message);
    }
  }

  /** The newest whole snapshot, checked end to end; removes leftovers of interrupted writes. */
  public Optional<SnapshotData> latest() throws IOException {
    if (!Files.isDirectory(dir)) return Optional.empty();
    List<Path> snapshots = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith(".tmp") || name.endsWith(".partial")) Files.deleteIfExists(p);
        else if (NAME.matcher(name).matches()) snapshots.add(p);
      }
    }
    if (snapshots.isEmpty()) return Optional.empty();
    snapshots.sort(Comparator.comparingLong(p -> metaOf(p).index()));
    Path newest = snapshots.get(snapshots.size() - 1);
    FileSnapshot snapshot = verify(newest);
    for (Path older : snapshots.subList(0, snapshots.size() - 1)) Files.deleteIfExists(older);
    return Optional.of(snapshot);
  }

  /** Writes {@code state} as the snapshot {@code meta}, durably, and removes older snapshots. */
  public SnapshotData write(SnapshotMeta meta, StateSnapshot state) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve(fileName(meta) + ".tmp");
    CRC32C crc = new CRC32C();
    long size;
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      CountingCrcStream counting = new CountingCrcStream(Channels.newOutputStream(ch), crc);
      OutputStream out = new BufferedOutputStream(counting, 256 * 1024);
      state.writeTo(out);
      out.flush();
      size = counting.count;
      writeTrailer(ch, size, crc);
      ch.force(true);
    }
    return install(meta, tmp);
  }

  /** Receives a snapshot in chunks from a leader (InstallSnapshot). */
  public Incoming receive(SnapshotMeta meta) throws IOException {
    Files.createDirectories(dir);
    return new Incoming(meta, dir.resolve(fileName(meta) + ".partial"));
  }

  /** A snapshot being received: chunks in order, then {@link #complete}. */
  public final class Incoming implements SnapshotReceiver.Sink {
    private final SnapshotMeta meta;
    private final Path path;
    private final FileChannel channel;
    private final CRC32C crc = new CRC32C();
    private long next;

    private Incoming(SnapshotMeta meta, Path path) throws IOException {
      this.meta = meta;
      this.path = path;
      this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
    }

    public SnapshotMeta meta() {
      return meta;
    }

    @Override
    public long next() {
      return next;
    }

    @Override
    public long checksum() {
      return crc.getValue();
    }

    @Override
    public long append(long offset, ByteString chunk) throws IOException {
      if (offset != next) return next;
      ByteBuffer buf = chunk.asReadOnlyByteBuffer();
      while (buf.hasRemaining()) channel.write(buf);
      crc.update(chunk.asReadOnlyByteBuffer());
      next += chunk.size();
      return next;
    }

    @Override
    public SnapshotData complete(long size) throws IOException {
      if (size != next) throw new IllegalStateException("snapshot " + meta + " has " + next + " of " + size + " bytes");
      writeTrailer(channel, size, crc);
      channel.force(true);
      channel.close();
      return install(meta, path);
    }

    @Override
    public void discard() throws IOException {
      channel.close();
      Files.deleteIfExists(path);
    }
  }

  private SnapshotData install(SnapshotMeta meta, Path written) throws IOException {
    Path target = dir.resolve(fileName(meta));
    Files.move(written, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(dir);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches() && Long.parseLong(m.group(1)) < meta.index()) Files.deleteIfExists(p);
      }
    }
    return new FileSnapshot(meta, target, Files.size(target) - TRAILER_BYTES);
  }

  static String fileName(SnapshotMeta meta) {
    return String.format("snapshot-%020d-%d.snap", meta.index(), meta.term());
  }

  private static SnapshotMeta metaOf(Path p) {
    Matcher m = NAME.matcher(p.getFileName().toString());
    if (!m.matches()) throw new IllegalArgumentException("not a snapshot file: " + p);
    return new SnapshotMeta(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }

  private static void writeTrailer(FileChannel ch, long size, CRC32C crc) throws IOException {
    ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES);
    trailer.putLong(size).putInt((int) crc.getValue()).putLong(MAGIC).flip();
    while (trailer.hasRemaining()) ch.write(trailer);
  }

  private static FileSnapshot verify(Path p) throws IOException {
    SnapshotMeta meta = metaOf(p);
    String advice = "; the replica cannot start from it. Move the replica's directory away to have it rebuilt "
        + "from its peers (it is a member of a group with a live majority), or restore it from a backup";
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      long fileSize = ch.size();
      if (fileSize < TRAILER_BYTES) throw new CorruptSnapshotException("snapshot " + p + " is truncated" + advice);
      ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES);
      ch.read(trailer, fileSize - TRAILER_BYTES);
      trailer.flip();
      long size = trailer.getLong();
      int expectedCrc = trailer.getInt();
      long magic = trailer.getLong();
      if (magic != MAGIC || size != fileSize - TRAILER_BYTES) {
        throw new CorruptSnapshotException("snapshot " + p + " has no valid trailer (truncated or overwritten)" + advice);
      }
      CRC32C crc = new CRC32C();
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      long pos = 0;
      while (pos < size) {
        buf.clear().limit((int) Math.min(buf.capacity(), size - pos));
        int n = ch.read(buf, pos);
        if (n < 0) break;
        buf.flip();
        crc.update(buf);
        pos += n;
      }
      if ((int) crc.getValue() != expectedCrc) {
        throw new CorruptSnapshotException("snapshot " + p + " fails its checksum (corrupted on disk)" + advice);
      }
      return new FileSnapshot(meta, p, size);
    }
  }

  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory for forcing; the rename is still atomic there.
      if (!System.getProperty("os.name", "").toLowerCase().startsWith("linux")) return;
      throw e;
    }
  }

  /** A snapshot file: state bytes then trailer. Reads by position, so chunks can be sent concurrently. */
  record FileSnapshot(SnapshotMeta meta, Path path, long size) implements SnapshotData {
    @Override
    public ByteString read(long offset, int maxBytes) throws IOException {
      int n = (int) Math.max(0, Math.min(maxBytes, size - offset));
      ByteBuffer buf = ByteBuffer.allocate(n);
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
        while (buf.hasRemaining()) {
          if (ch.read(buf, offset + buf.position()) < 0) break;
        }
      } catch (NoSuchFileException e) {
        throw new IOException("snapshot " + meta + " was replaced by a newer one while it was being read", e);
      }
      buf.flip();
      return ByteString.copyFrom(buf);
    }

    @Override
    public InputStream open() throws IOException {
      InputStream in = Files.newInputStream(path);
      return new java.io.BufferedInputStream(new LimitedInputStream(in, size), 256 * 1024);
    }
  }

  private static final class CountingCrcStream extends java.io.FilterOutputStream {
    private final CRC32C crc;
    long count;

    CountingCrcStream(OutputStream out, CRC32C crc) {
      super(out);
      this.crc = crc;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      crc.update(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      crc.update(b, off, len);
      count += len;
    }
  }

  private static final class LimitedInputStream extends java.io.FilterInputStream {
    private long left;

    LimitedInputStream(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) return -1;
      int b = in.read();
      if (b >= 0) left--;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) return -1;
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) left -= n;
      return n;
    }
  }
}
