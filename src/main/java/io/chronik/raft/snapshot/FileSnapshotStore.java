package io.chronik.raft.snapshot;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.rpc.GroupConfig;
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
 * followed by the group's configuration, if the snapshot carries one, and a trailer. A snapshot
 * is written to a temporary file, forced, renamed into place and the directory forced, so after
 * a crash there is either the whole new snapshot, configuration included, or the previous one.
 * Only the latest is kept.
 *
 * <p>Two layouts, told apart by the magic number at the end (numbers big-endian):
 * <ul>
 *   <li>v1 {@code [state][u64 stateSize][u32 crc32c(state)][u64 MAGIC]}: no configuration. Also
 *       written for a snapshot without one, so that a node rolled back to a version of before
 *       configurations still reads it.
 *   <li>v2 {@code [state][config][u32 configLen][u64 configIndex][u64 stateSize]
 *       [u32 crc32c(state + config)][u64 MAGIC2]}: {@code config} is a {@link GroupConfig}.
 * </ul>
 * {@link SnapshotData#size()} and {@link SnapshotData#read} are the state bytes alone in both, as
 * a leader streams them (a follower's copy gets the configuration from InstallSnapshot itself).
 *
 * <p>A snapshot whose trailer or checksum does not match is never used: {@link #latest()} throws
 * {@link CorruptSnapshotException} (the log entries it replaced are gone, so falling back to an
 * older snapshot would silently lose state).
 */
public final class FileSnapshotStore {
  private static final Pattern NAME = Pattern.compile("snapshot-(\\d+)-(\\d+)\\.snap");
  static final long MAGIC = 0x4348524e534e4150L; // "CHRNSNAP"
  static final long MAGIC2 = 0x4348524e534e5032L; // "CHRNSNP2"
  static final int TRAILER_BYTES = 8 + 4 + 8;
  static final int TRAILER_V2_BYTES = 4 + 8 + 8 + 4 + 8;
  private static final String ADVICE = "; the replica cannot start from it. Move the replica's directory away to have "
      + "it rebuilt from its peers (it is a member of a group with a live majority), or restore it from a backup";

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
      writeTrailer(ch, meta, size, crc);
      ch.force(true);
    }
    return install(meta, tmp, size);
  }

  /** Receives a snapshot in chunks from a leader (InstallSnapshot). */
  public Incoming receive(SnapshotMeta meta) throws IOException {
    Files.createDirectories(dir);
    return new Incoming(meta, dir.resolve(fileName(meta) + ".partial"));
  }

  /**
   * A snapshot being received: chunks in order, then {@link #complete}. It is saved with the
   * configuration {@code meta} carries (the leader's, sent with the chunks).
   */
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
      writeTrailer(channel, meta, size, crc); // the transfer's checksum was checked; crc now takes in the config
      channel.force(true);
      channel.close();
      return install(meta, path, size);
    }

    @Override
    public void discard() throws IOException {
      channel.close();
      Files.deleteIfExists(path);
    }
  }

  private SnapshotData install(SnapshotMeta meta, Path written, long stateSize) throws IOException {
    Path target = dir.resolve(fileName(meta));
    Files.move(written, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(dir);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches() && Long.parseLong(m.group(1)) < meta.index()) Files.deleteIfExists(p);
      }
    }
    return new FileSnapshot(meta, target, stateSize);
  }

  static String fileName(SnapshotMeta meta) {
    return String.format("snapshot-%020d-%d.snap", meta.index(), meta.term());
  }

  private static SnapshotMeta metaOf(Path p) {
    Matcher m = NAME.matcher(p.getFileName().toString());
    if (!m.matches()) throw new IllegalArgumentException("not a snapshot file: " + p);
    return new SnapshotMeta(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }

  /**
   * Writes what follows the {@code stateSize} state bytes whose CRC32C {@code crc} holds: the v1
   * trailer for a snapshot without a configuration, else the configuration and the v2 trailer
   * ({@code crc} then takes in the configuration's bytes too).
   */
  private static void writeTrailer(FileChannel ch, SnapshotMeta meta, long stateSize, CRC32C crc) throws IOException {
    ByteBuffer trailer;
    if (meta.config().isEmpty()) {
      trailer = ByteBuffer.allocate(TRAILER_BYTES);
      trailer.putLong(stateSize).putInt((int) crc.getValue()).putLong(MAGIC).flip();
    } else {
      byte[] config = meta.config().get().toProto().toByteArray();
      crc.update(config);
      trailer = ByteBuffer.allocate(config.length + TRAILER_V2_BYTES);
      trailer.put(config).putInt(config.length).putLong(meta.configIndex()).putLong(stateSize)
          .putInt((int) crc.getValue()).putLong(MAGIC2).flip();
    }
    while (trailer.hasRemaining()) ch.write(trailer);
  }

  private static FileSnapshot verify(Path p) throws IOException {
    SnapshotMeta named = metaOf(p);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      long fileSize = ch.size();
      if (fileSize < Long.BYTES) throw new CorruptSnapshotException("snapshot " + p + " is truncated" + ADVICE);
      long magic = read(ch, fileSize - Long.BYTES, Long.BYTES).getLong();
      if (magic == MAGIC && fileSize >= TRAILER_BYTES) {
        ByteBuffer trailer = read(ch, fileSize - TRAILER_BYTES, TRAILER_BYTES);
        long size = trailer.getLong();
        int expectedCrc = trailer.getInt();
        if (size != fileSize - TRAILER_BYTES) throw noTrailer(p);
        checkCrc(p, ch, size, expectedCrc);
        return new FileSnapshot(named, p, size);
      }
      if (magic != MAGIC2 || fileSize < TRAILER_V2_BYTES) throw noTrailer(p);
      ByteBuffer trailer = read(ch, fileSize - TRAILER_V2_BYTES, TRAILER_V2_BYTES);
      long configLen = Integer.toUnsignedLong(trailer.getInt());
      long configIndex = trailer.getLong();
      long size = trailer.getLong();
      int expectedCrc = trailer.getInt();
      long before = fileSize - TRAILER_V2_BYTES; // state and configuration
      if (size < 0 || size > before || configLen != before - size || configLen > Integer.MAX_VALUE - 8) {
        throw noTrailer(p);
      }
      checkCrc(p, ch, before, expectedCrc);
      return new FileSnapshot(withConfig(p, named, read(ch, size, (int) configLen), configIndex), p, size);
    }
  }

  /**
   * {@code named} with the configuration of a v2 file; one that does not parse or breaks an
   * invariant (written by a faulty version: its checksum matched) fails like a corrupt snapshot.
   */
  private static SnapshotMeta withConfig(Path p, SnapshotMeta named, ByteBuffer config, long configIndex)
      throws CorruptSnapshotException {
    try {
      Optional<Configuration> parsed = config.hasRemaining()
          ? Optional.of(Configuration.fromProto(GroupConfig.parseFrom(config)))
          : Optional.empty();
      return new SnapshotMeta(named.index(), named.term(), parsed, configIndex);
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new CorruptSnapshotException("snapshot " + p + " holds no valid group configuration (" + e.getMessage()
          + ")" + ADVICE);
    }
  }

  private static CorruptSnapshotException noTrailer(Path p) {
    return new CorruptSnapshotException("snapshot " + p + " has no valid trailer (truncated or overwritten)" + ADVICE);
  }

  /** {@code n} bytes from {@code position}, ready to read. */
  private static ByteBuffer read(FileChannel ch, long position, int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position()) < 0) throw new java.io.EOFException("snapshot file shrank");
    }
    return buf.flip();
  }

  /** Checks the CRC32C of the file's first {@code length} bytes. */
  private static void checkCrc(Path p, FileChannel ch, long length, int expectedCrc) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    long pos = 0;
    while (pos < length) {
      buf.clear().limit((int) Math.min(buf.capacity(), length - pos));
      int n = ch.read(buf, pos);
      if (n < 0) break;
      buf.flip();
      crc.update(buf);
      pos += n;
    }
    if ((int) crc.getValue() != expectedCrc) {
      throw new CorruptSnapshotException("snapshot " + p + " fails its checksum (corrupted on disk)" + ADVICE);
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

  /**
   * A snapshot file: state bytes, then the configuration if any, then the trailer; {@code size}
   * is the state's. Reads by position, so chunks can be sent concurrently.
   */
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
