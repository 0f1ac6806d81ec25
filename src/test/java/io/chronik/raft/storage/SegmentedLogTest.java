package io.chronik.raft.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.storage.proto.StorageWrite;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * L4 durability of chronik's write-ahead log: what a power cut leaves (everything up to the last
 * completed force, then any prefix — or garbage — of the write in progress) always reopens to
 * every acknowledged write; corruption anywhere else is refused with a clear message.
 */
class SegmentedLogTest {
  @TempDir Path dir;

  private static LogEntry entry(long index, long term, int bytes) {
    return LogEntry.newBuilder().setIndex(index).setTerm(term).setCommand(ByteString.copyFrom(new byte[bytes])).build();
  }

  private static StorageWrite write(long term, long firstIndex, int count) {
    StorageWrite.Builder w = StorageWrite.newBuilder().setHardState(HardState.newBuilder().setTerm(term).setVotedFor("a"));
    for (int i = 0; i < count; i++) w.addEntries(entry(firstIndex + i, term, 50 + i));
    return w.build();
  }

  private RecoveredLog reopen(long snapshotIndex) throws IOException {
    RecoveredLog r = new RecoveredLog(snapshotIndex);
    try (SegmentedLog log = SegmentedLog.open(dir, 1 << 20, r::apply)) {
      return r;
    }
  }

  private Path onlySegment() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> segments = files.filter(p -> p.getFileName().toString().startsWith("wal-")).sorted().toList();
      return segments.get(segments.size() - 1);
    }
  }

  @Test
  void everyAcknowledgedWriteSurvivesAPowerCutDuringTheNextOne() throws IOException {
    Random rnd = new Random(11);
    List<Long> forcedSizes = new ArrayList<>();
    List<Long> lastIndexes = new ArrayList<>();
    long index = 1;
    try (SegmentedLog log = SegmentedLog.open(dir, 1 << 20, w -> {})) {
      forcedSizes.add(Files.size(onlySegment()));
      lastIndexes.add(0L);
      for (int k = 0; k < 40; k++) {
        int n = 1 + rnd.nextInt(5);
        log.append(write(1 + k / 10, index, n));
        index += n;
        forcedSizes.add(Files.size(onlySegment())); // append returned: forced
        lastIndexes.add(index - 1);
      }
    }
    Path segment = onlySegment();
    byte[] whole = Files.readAllBytes(segment);
    for (int k = 0; k < forcedSizes.size() - 1; k++) {
      long forced = forcedSizes.get(k);
      long nextEnd = forcedSizes.get(k + 1);
      for (int trial = 0; trial < 3; trial++) {
        // the power cut: the forced prefix, then part of the write in progress, or garbage
        int partial = (int) (rnd.nextInt((int) (nextEnd - forced)));
        byte[] cut = java.util.Arrays.copyOf(whole, (int) (forced + partial));
        if (trial == 2) for (int i = (int) forced; i < cut.length; i++) cut[i] = (byte) rnd.nextInt();
        Files.write(segment, cut);
        RecoveredLog r = reopen(0);
        assertEquals(lastIndexes.get(k), r.lastIndex(), "after a cut " + partial + " bytes into write " + (k + 1));
        assertEquals(forced, Files.size(segment), "the torn tail is cut off");
      }
    }
  }

  @Test
  void aDamagedRecordBeforeTheTailIsRefusedNotRepaired() throws IOException {
    try (SegmentedLog log = SegmentedLog.open(dir, 1 << 20, w -> {})) {
      for (int k = 0; k < 10; k++) log.append(write(1, k + 1, 1));
    }
    Path segment = onlySegment();
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length / 2] ^= 0x40; // a bit flip in the middle: valid records follow
    Files.write(segment, bytes);
    SegmentedLog.CorruptLogException e = assertThrows(SegmentedLog.CorruptLogException.class, () -> reopen(0));
    assertTrue(e.getMessage().contains("corruption") && e.getMessage().contains("Move its directory away"),
        e.getMessage());
  }

  @Test
  void aBitFlipInTheLastRecordIsCutOffAsATornWrite() throws IOException {
    try (SegmentedLog log = SegmentedLog.open(dir, 1 << 20, w -> {})) {
      for (int k = 0; k < 5; k++) log.append(write(1, k + 1, 1));
    }
    Path segment = onlySegment();
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length - 3] ^= 0x01;
    Files.write(segment, bytes);
    assertEquals(4, reopen(0).lastIndex(), "never served: the damaged write is gone, the leader sends it again");
  }

  @Test
  void segmentsASnapshotCoversAreDeletedAndTheVoteOutlivesThem() throws IOException {
    try (SegmentedLog log = SegmentedLog.open(dir, 4096, w -> {})) {
      log.append(StorageWrite.newBuilder().setHardState(HardState.newBuilder().setTerm(7).setVotedFor("b")).build());
      for (long i = 1; i <= 200; i++) log.append(StorageWrite.newBuilder().addEntries(entry(i, 7, 100)).build());
      int before = log.segmentCount();
      assertTrue(before > 5, "small segments: " + before);
      int deleted = log.deleteCovered(150);
      assertTrue(deleted > 0 && deleted < before, "deleted " + deleted + " of " + before);
    }
    RecoveredLog r = reopen(150);
    assertEquals(HardState.newBuilder().setTerm(7).setVotedFor("b").build(), r.hardState,
        "the vote was only in a deleted segment; every segment begins with it");
    assertEquals(200, r.lastIndex());
    assertEquals(151, r.entries.get(0).getIndex());
  }

  /** A record as the log frames it: length, CRC32C, bytes. */
  private static byte[] record(StorageWrite w) {
    byte[] body = w.toByteArray();
    java.util.zip.CRC32C c = new java.util.zip.CRC32C();
    c.update(body);
    return java.nio.ByteBuffer.allocate(8 + body.length).putInt(body.length).putInt((int) c.getValue()).put(body).array();
  }

  private static long newestSegmentNumber(Path wal) throws IOException {
    try (Stream<Path> files = Files.list(wal)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("wal-\\d{20}\\.log"))
          .mapToLong(n -> Long.parseLong(n.substring(4, 24))).max().orElseThrow();
    }
  }

  private static final HardState VOTE = HardState.newBuilder().setTerm(7).setVotedFor("b").build();

  /**
   * The segments the next writes go to no longer hold the vote of term 7 unless the log wrote it
   * there: they are appended to, every older segment deleted behind a snapshot at their last
   * index, and the log reopened. Returns the hard state it comes back with.
   */
  private static HardState hardStateAfterCompaction(SegmentedLog.ChannelOpener files, Path wal, long segmentBytes)
      throws IOException {
    long last;
    RecoveredLog before = new RecoveredLog(0);
    try (SegmentedLog log = SegmentedLog.open(wal, segmentBytes, files, before::apply)) {
      assertEquals(VOTE, before.hardState, "an older segment still holds it");
      last = before.lastIndex();
      for (long i = last + 1; i <= last + 5; i++) log.append(StorageWrite.newBuilder().addEntries(entry(i, 7, 10)).build());
      assertTrue(log.deleteCovered(last) > 0, "the segments up to index " + last + " are deleted");
    }
    RecoveredLog after = new RecoveredLog(last);
    SegmentedLog.open(wal, segmentBytes, files, after::apply).close();
    assertEquals(last + 5, after.lastIndex());
    return after.hardState;
  }

  /** A vote, then entries 1..n, in segments of 4 KiB. */
  private static void voteThenEntries(SegmentedLog log, int n) throws IOException {
    log.append(StorageWrite.newBuilder().setHardState(VOTE).build());
    for (long i = 1; i <= n; i++) log.append(StorageWrite.newBuilder().addEntries(entry(i, 7, 100)).build());
  }

  @Test
  void aSegmentCreatedButNotForcedKeepsTheHardStateAcrossCompaction() throws IOException {
    byte[] header = record(StorageWrite.newBuilder().setHardState(VOTE).build());
    // What a crash between creating the next segment and forcing its header leaves: the file
    // empty, its first record's header cut short, or the record itself cut short.
    for (int written : new int[] {0, 5, header.length - 1}) {
      Path wal = dir.resolve("crash-after-" + written + "-bytes");
      try (SegmentedLog log = SegmentedLog.open(wal, 4096, w -> {})) {
        voteThenEntries(log, 100);
      }
      Path next = wal.resolve(String.format("wal-%020d.log", newestSegmentNumber(wal) + 1));
      Files.write(next, java.util.Arrays.copyOf(header, written));
      assertEquals(VOTE, hardStateAfterCompaction(SegmentedLog.ChannelOpener.FILES, wal, 4096),
          "a crash " + written + " bytes into the new segment's header: the vote of term 7 must survive");
    }
  }

  @Test
  void aSegmentWhoseHeaderHitAFullDiskKeepsTheHardStateAcrossCompaction() throws IOException {
    for (FaultyDisk.Fault fault : new FaultyDisk.Fault[] {FaultyDisk.Fault.FULL, FaultyDisk.Fault.TORN}) {
      Path wal = dir.resolve("header-" + fault);
      FaultyDisk disk = new FaultyDisk();
      try (SegmentedLog log = SegmentedLog.open(wal, 4096, disk, w -> {})) {
        voteThenEntries(log, 30);
        long i = 31;
        while (Files.size(wal.resolve(String.format("wal-%020d.log", newestSegmentNumber(wal)))) < 4096) {
          log.append(StorageWrite.newBuilder().addEntries(entry(i++, 7, 100)).build());
        }
        disk.fail(fault); // the next append starts a segment; its header hits the full disk
        long failing = i;
        assertThrows(IOException.class, () -> log.append(StorageWrite.newBuilder().addEntries(entry(failing, 7, 100)).build()));
      }
      disk.fail(FaultyDisk.Fault.NONE); // space freed; the storage is reopened
      assertEquals(VOTE, hardStateAfterCompaction(disk, wal, 4096),
          "a segment started on a full disk (" + fault + "): the vote of term 7 must survive");
    }
  }

  @Test
  void aWriteWhoseForceFailedIsNotInTheReopenedLog() throws IOException {
    FaultyDisk disk = new FaultyDisk();
    try (SegmentedLog log = SegmentedLog.open(dir, 1 << 20, disk, w -> {})) {
      log.append(write(1, 1, 3));
      disk.fail(FaultyDisk.Fault.FORCE_FAILS); // EIO: the record reached the page cache, fsync failed
      assertThrows(IOException.class, () -> log.append(write(1, 4, 1)));
    }
    disk.fail(FaultyDisk.Fault.NONE);
    // After a failed fsync the kernel may drop those pages: the record must not look durable.
    assertEquals(3, reopen(0).lastIndex(), "never acknowledged, never recovered");
  }

  @Test
  void aLogThatFailedAWriteRefusesFurtherWritesUntilReopened() throws IOException {
    FaultyDisk disk = new FaultyDisk();
    try (SegmentedLog log = SegmentedLog.open(dir, 1 << 20, disk, w -> {})) {
      log.append(write(1, 1, 3));
      disk.fail(FaultyDisk.Fault.TORN); // ENOSPC half-way through the record
      assertThrows(IOException.class, () -> log.append(write(1, 4, 1)));
      disk.fail(FaultyDisk.Fault.NONE);
      // A record after the torn one would make it corruption in the middle of the log.
      assertThrows(IOException.class, () -> log.append(write(1, 4, 1)), "a failed log refuses writes");
    }
    try (SegmentedLog log = SegmentedLog.open(dir, 1 << 20, disk, w -> {})) {
      log.append(write(1, 4, 1));
    }
    assertEquals(4, reopen(0).lastIndex(), "reopened, it accepts writes again");
  }

  @Test
  void truncationsAndHardStatesReplayInOrder() throws IOException {
    try (SegmentedLog log = SegmentedLog.open(dir, 1 << 20, w -> {})) {
      log.append(write(1, 1, 5));
      log.append(StorageWrite.newBuilder().setTruncateFrom(3).addEntries(entry(3, 2, 9))
          .setHardState(HardState.newBuilder().setTerm(2)).build());
    }
    RecoveredLog r = reopen(0);
    assertEquals(3, r.lastIndex());
    assertEquals(2, r.entries.get(2).getTerm());
    assertEquals(2, r.hardState.getTerm());
    try (FileChannel ch = FileChannel.open(onlySegment(), StandardOpenOption.READ)) {
      assertTrue(ch.size() > 0);
    }
  }
}
