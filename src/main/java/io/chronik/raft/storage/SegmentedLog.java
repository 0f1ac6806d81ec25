package io.chronik.raft.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.storage.proto.StorageWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A replica's write-ahead log as segment files, the way etcd's WAL and Ratis' segmented log keep
 * theirs: each {@link StorageWrite} is one record — length, CRC32C, bytes — appended to the
 * newest segment and forced ({@code fdatasync}) before {@link #append} returns. A segment past
 * {@code segmentBytes} is closed and a new one begins with the current hard state, so that
 * deleting whole old segments ({@link #deleteCovered}) never loses the term and vote.
 *
 * <p>Invariant: the active segment holds the current hard state (as its first record or a later
 * one), so that every other segment can be deleted. A crash between creating a segment and forcing
 * its first record breaks it — the segment is left empty or torn — so opening writes the hard state
 * into a newest segment that lacks it before any write is accepted.
 *
 * <p>Opening replays every record. A record cut short or failing its checksum at the very end of
 * the newest segment is a write the crash interrupted (never acknowledged: it was not forced):
 * the tail is cut off there, and the replica catches up from its leader. Anywhere else it is
 * corruption, and opening fails with {@link CorruptLogException} saying where and what to do.
 *
 * <p>A write that fails (a full disk, an I/O error) is not acknowledged: {@link #append} throws,
 * cuts what the write left off the file, and refuses every later write until the log is reopened.
 */
public final class SegmentedLog implements AutoCloseable {
  private static final Pattern NAME = Pattern.compile("wal-(\\d{20})\\.log");
  private static final int HEADER = 8;
  /** Larger records cannot be a write of a replica (max-append-bytes is far below). */
  private static final int MAX_RECORD = 256 << 20;

  /**
   * Opens the log's files: {@link #FILES} in production; a test passes one whose channels fail
   * like a full or failing disk.
   */
  @FunctionalInterface
  public interface ChannelOpener {
    ChannelOpener FILES = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
  }

  /** Thrown when a segment is damaged where a crash cannot have left it. */
  public static final class CorruptLogException extends IOException {
    CorruptLogException(String message) {
      super(message);
    }
  }

  private final Path dir;
  private final long segmentBytes;
  private final ChannelOpener files;
  /** Segment number → highest log index written in it (0: none). */
  private final TreeMap<Long, Long> segments = new TreeMap<>();
  private FileChannel active;
  private long activeNumber;
  private long activeSize;
  /** The active segment's size up to its last forced record: what survives a failed write. */
  private long forcedSize;
  /** The write that failed; from then on the log refuses writes until it is reopened. */
  private IOException failed;
  private HardState hardState = HardState.getDefaultInstance();
  /** What the last repair cut off (bytes), for the log line of the storage that opened it. */
  private long repairedBytes;

  private SegmentedLog(Path dir, long segmentBytes, ChannelOpener files) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.files = files;
  }

  /** Opens (or creates) the log in {@code dir}, replaying every write into {@code replay}. */
  public static SegmentedLog open(Path dir, long segmentBytes, Consumer<StorageWrite> replay) throws IOException {
    return open(dir, segmentBytes, ChannelOpener.FILES, replay);
  }

  /** As {@link #open(Path, long, Consumer)}, with every file opened through {@code files}. */
  public static SegmentedLog open(Path dir, long segmentBytes, ChannelOpener files, Consumer<StorageWrite> replay)
      throws IOException {
    Files.createDirectories(dir);
    SegmentedLog log = new SegmentedLog(dir, segmentBytes, files);
    try {
      log.recover(replay);
    } catch (IOException | RuntimeException e) {
      try {
        log.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    return log;
  }

  /** Where its segment files are. */
  public Path dir() {
    return dir;
  }

  public long repairedBytes() {
    return repairedBytes;
  }

  public int segmentCount() {
    return segments.size();
  }

  private void recover(Consumer<StorageWrite> replay) throws IOException {
    List<Long> numbers = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches()) numbers.add(Long.parseLong(m.group(1)));
      }
    }
    numbers.sort(null);
    boolean newestHoldsHardState = false;
    for (int i = 0; i < numbers.size(); i++) {
      boolean newest = i == numbers.size() - 1;
      long number = numbers.get(i);
      Path path = segmentPath(number);
      long highest = 0;
      boolean holdsHardState = false;
      try (FileChannel ch = files.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        long size = ch.size();
        long pos = 0;
        while (pos < size) {
          String problem = null;
          StorageWrite w = null;
          int length = 0;
          if (size - pos < HEADER) {
            problem = "a record header cut short";
          } else {
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            ch.read(header, pos);
            header.flip();
            length = header.getInt();
            int crc = header.getInt();
            if (length < 0 || length > MAX_RECORD || pos + HEADER + length > size) {
              problem = "a record of " + length + " bytes that the segment does not hold";
            } else {
              ByteBuffer body = ByteBuffer.allocate(length);
              while (body.hasRemaining()) ch.read(body, pos + HEADER + body.position());
              body.flip();
              CRC32C c = new CRC32C();
              c.update(body.duplicate());
              if ((int) c.getValue() != crc) {
                problem = "a record failing its checksum";
              } else {
                try {
                  w = StorageWrite.parseFrom(body);
                } catch (InvalidProtocolBufferException e) {
                  problem = "a record that does not parse (" + e.getMessage() + ")";
                }
              }
            }
          }
          if (problem != null) {
            if (!newest || !onlyGarbageAfter(ch, pos, size, length)) {
              throw new CorruptLogException("write-ahead log segment " + path + " holds " + problem + " at byte "
                  + pos + " of " + size + (newest ? ", followed by further records" : " (not the newest segment)")
                  + ": this is corruption, not an interrupted write. The replica cannot start from it. Move its "
                  + "directory away to have it rebuilt from its peers (its group has a live majority), or restore "
                  + "it from a backup.");
            }
            ch.truncate(pos); // an interrupted, never acknowledged write: cut it off
            ch.force(true);
            repairedBytes += size - pos;
            size = pos;
            break;
          }
          if (w.hasHardState()) {
            hardState = w.getHardState();
            holdsHardState = true;
          }
          for (var e : w.getEntriesList()) highest = Math.max(highest, e.getIndex());
          replay.accept(w);
          pos += HEADER + length;
        }
        segments.put(number, highest);
        if (newest) {
          activeSize = size;
          newestHoldsHardState = holdsHardState;
        }
      }
    }
    if (numbers.isEmpty()) {
      startSegment(0);
      return;
    }
    activeNumber = numbers.get(numbers.size() - 1);
    active = files.open(segmentPath(activeNumber), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    if (!newestHoldsHardState) {
      // A crash (or a full disk) came between creating this segment and forcing its first record.
      // The hard state is only in older segments, which deleteCovered may delete: without this a
      // later recovery would come back with term 0 and no vote, and vote a second time in a term.
      writeRecord(StorageWrite.newBuilder().setHardState(hardState).build());
      active.force(true);
    }
    forcedSize = activeSize;
    // The newest segment's directory entry was not forced if the crash came before startSegment
    // did; the writes about to be acknowledged in it must not vanish with it.
    forceDirectory();
  }

  /**
   * Whether what follows the bad record at {@code pos} can be the rest of one interrupted write:
   * no whole valid record starts after it. (A torn write leaves at most one partial record.)
   */
  private static boolean onlyGarbageAfter(FileChannel ch, long pos, long size, int claimedLength) throws IOException {
    long next = pos + HEADER + Math.max(0, claimedLength);
    if (claimedLength <= 0 || claimedLength > MAX_RECORD || next >= size) return true;
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    if (size - next < HEADER) return true;
    ch.read(header, next);
    header.flip();
    int length = header.getInt();
    int crc = header.getInt();
    if (length < 0 || length > MAX_RECORD || next + HEADER + length > size) return true;
    ByteBuffer body = ByteBuffer.allocate(length);
    while (body.hasRemaining()) ch.read(body, next + HEADER + body.position());
    body.flip();
    CRC32C c = new CRC32C();
    c.update(body);
    return (int) c.getValue() != crc; // a whole valid record after the bad one: corruption
  }

  /**
   * Appends {@code w} and forces it to disk; when this returns, the write survives a power cut.
   * When it throws, the write is not acknowledged, what it left is cut off where possible, and
   * the log accepts no further write until it is reopened.
   */
  public void append(StorageWrite w) throws IOException {
    refuseIfFailed();
    try {
      if (activeSize >= segmentBytes) startSegment(activeNumber + 1);
      writeRecord(w);
      active.force(false);
      forcedSize = activeSize;
    } catch (IOException e) {
      failed = e;
      cutOffFailedWrite(e);
      throw e;
    }
    if (w.hasHardState()) hardState = w.getHardState();
    long highest = segments.get(activeNumber);
    for (var e : w.getEntriesList()) highest = Math.max(highest, e.getIndex());
    segments.put(activeNumber, highest);
  }

  /**
   * A write failed (ENOSPC, EIO): no further record may follow it, or the bytes it left would be
   * corruption in the middle of the log instead of a torn tail. And no segment may be deleted: the
   * active one may be a new segment whose hard-state header did not make it.
   */
  private void refuseIfFailed() throws IOException {
    if (failed != null) {
      throw new IOException("the write-ahead log in " + dir + " failed a write (" + failed.getMessage()
          + ") and accepts nothing more until it is reopened", failed);
    }
  }

  /**
   * Cuts what the failed write left off the active segment, so that reopening finds exactly the
   * acknowledged writes. A record that reads back whole is not necessarily on disk: after a failed
   * fsync the kernel may drop its pages. Best effort: if the cut fails too, reopening finds the
   * record torn (cut off as an interrupted write) or whole (never acknowledged; a Raft log may
   * hold entries and votes that were never acknowledged, as if the crash came after the force).
   */
  private void cutOffFailedWrite(IOException failure) {
    try {
      active.truncate(forcedSize);
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  private void writeRecord(StorageWrite w) throws IOException {
    byte[] body = w.toByteArray();
    CRC32C c = new CRC32C();
    c.update(body);
    ByteBuffer buf = ByteBuffer.allocate(HEADER + body.length);
    buf.putInt(body.length).putInt((int) c.getValue()).put(body).flip();
    while (buf.hasRemaining()) active.write(buf);
    activeSize += HEADER + body.length;
  }

  /** A new segment that begins with the hard state, so older segments can be deleted without it. */
  private void startSegment(long number) throws IOException {
    if (active != null) {
      active.force(true);
      active.close();
    }
    Path path = segmentPath(number);
    active = files.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    activeNumber = number;
    activeSize = 0;
    forcedSize = 0;
    segments.put(number, 0L);
    writeRecord(StorageWrite.newBuilder().setHardState(hardState).build());
    active.force(true);
    forcedSize = activeSize;
    forceDirectory();
  }

  /**
   * Deletes the closed segments holding only entries at or below {@code index} (a durable snapshot
   * covers them), oldest first, stopping at the first one that still holds a later entry.
   * Returns how many it deleted.
   */
  public int deleteCovered(long index) throws IOException {
    refuseIfFailed();
    int deleted = 0;
    while (segments.size() > 1) {
      var oldest = segments.firstEntry();
      if (oldest.getKey() == activeNumber || oldest.getValue() > index) break;
      Files.deleteIfExists(segmentPath(oldest.getKey()));
      segments.pollFirstEntry();
      deleted++;
    }
    if (deleted > 0) forceDirectory();
    return deleted;
  }

  private Path segmentPath(long number) {
    return dir.resolve(String.format("wal-%020d.log", number));
  }

  private void forceDirectory() throws IOException {
    try (FileChannel ch = files.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  @Override
  public void close() throws IOException {
    if (active != null) active.close();
  }
}
