package io.chronik.raft.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.chronik.raft.snapshot.InMemorySnapshot;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotMeta;
import io.chronik.raft.statemachine.SnapshotFormat;
import io.chronik.raft.statemachine.StateMachine;
import io.chronik.raft.statemachine.proto.RecordLogReadResult;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record log on disk: what a replica's restart (checkpoint + replay), a follower's install
 * (the leader's export) and damaged files do to it.
 */
class RecordLogOnDiskTest {
  private static final RecordLogStateMachine.Retention KEEP_ALL = RecordLogStateMachine.Retention.UNLIMITED;
  @TempDir Path tmp;

  private static ByteString command(int batch) {
    List<ByteString> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) records.add(ByteString.copyFromUtf8("batch " + batch + " record " + i + " " + "x".repeat(60)));
    return RecordLogStateMachine.append(records, 1_000 + batch);
  }

  private static void apply(StateMachine m, int fromBatch, int toBatch) {
    for (int b = fromBatch; b < toBatch; b++) m.apply(b + 1, command(b));
  }

  private static RecordLogReadResult read(StateMachine m, long offset) {
    return RecordLogStateMachine.readResult(m.query(RecordLogStateMachine.read(offset, 1_000_000, 1 << 30)));
  }

  private static SnapshotData snapshot(StateMachine m, long index) {
    return InMemorySnapshot.of(new SnapshotMeta(index, 1), m.snapshot());
  }

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(Files::isRegularFile).sorted().toList();
    }
  }

  @Test
  void aRestartTruncatesToTheCheckpointAndReplayingTheLogGivesTheSameLog() throws IOException {
    Path root = tmp.resolve("orders-0");
    StateMachine live = RecordLogStateMachine.onDisk(root, KEEP_ALL, 4096);
    apply(live, 0, 101); // the last segment is part-filled: the restart must cut what follows in it
    SnapshotData checkpoint = snapshot(live, 101);
    assertTrue(checkpoint.size() < 2_000, "a checkpoint names files, it does not copy them: " + checkpoint.size());
    apply(live, 101, 150); // after the checkpoint: more records, new segments — then the process dies
    RecordLogReadResult before = read(live, 0);
    assertEquals(1500, before.getHighWatermark());

    StateMachine restarted = RecordLogStateMachine.onDisk(root, KEEP_ALL, 4096);
    restarted.restore(checkpoint.open());
    assertEquals(1010, read(restarted, 0).getHighWatermark(), "as of the checkpoint");
    assertEquals(before.getRecordsList().subList(0, 1010), read(restarted, 0).getRecordsList());
    apply(restarted, 101, 150); // the log's entries after the snapshot
    assertEquals(before, read(restarted, 0));
    assertEquals(live.describe(), restarted.describe());
    live.close();
    restarted.close();
  }

  @Test
  void aFollowerInstallsTheLeadersExportInANewGenerationAndTheOldOneGoes() throws IOException {
    StateMachine leader = RecordLogStateMachine.onDisk(tmp.resolve("leader"), KEEP_ALL, 4096);
    apply(leader, 0, 80);
    SnapshotData checkpoint = snapshot(leader, 80);
    apply(leader, 80, 90); // the leader moves on; the export is as of the checkpoint
    SnapshotData export = leader.transferable(checkpoint);
    assertTrue(export.size() > 50_000, "the export carries the records: " + export.size());

    Path followerRoot = tmp.resolve("follower");
    StateMachine old = RecordLogStateMachine.onDisk(followerRoot, KEEP_ALL, 4096);
    apply(old, 0, 5);
    List<Path> oldFiles = files(followerRoot);
    // chunk by chunk, as InstallSnapshot carries it
    ByteString.Output received = ByteString.newOutput();
    for (long at = 0; at < export.size(); at += 7_000) export.read(at, 7_000).writeTo(received);
    StateMachine installed = RecordLogStateMachine.onDisk(followerRoot, KEEP_ALL, 4096);
    installed.restore(received.toByteString().newInput());
    old.close();
    assertEquals(800, read(installed, 0).getHighWatermark());
    assertEquals(read(leader, 0).getRecordsList().subList(0, 800), read(installed, 0).getRecordsList());
    for (Path p : oldFiles) assertFalse(Files.exists(p), p + " of the replaced generation is deleted");
    apply(installed, 80, 90);
    assertEquals(read(leader, 0), read(installed, 0));
    ((java.io.Closeable) export).close();
  }

  /**
   * Two leaders that applied the same batches export the same bytes for their checkpoints at one
   * index (their checkpoints name their own directories, but those never travel), and those are
   * the bytes an in-memory record log of the same state writes: a follower's copy does not depend
   * on which leader sent it.
   */
  @Test
  void exportsOfEqualStateAreByteIdenticalWhicheverReplicaMakesThem() throws IOException {
    List<ByteString> exports = new ArrayList<>();
    for (String replica : List.of("a", "b")) {
      StateMachine live = RecordLogStateMachine.onDisk(tmp.resolve(replica), KEEP_ALL, 4096);
      apply(live, 0, 80);
      SnapshotData export = live.transferable(snapshot(live, 80));
      exports.add(export.read(0, (int) export.size()));
      ((java.io.Closeable) export).close();
      live.close();
    }
    StateMachine inMemory = new RecordLogStateMachine(KEEP_ALL, 4096);
    apply(inMemory, 0, 80);
    assertEquals(exports.get(0), exports.get(1));
    assertEquals(exports.get(0), snapshot(inMemory, 80).read(0, Integer.MAX_VALUE));
  }

  @Test
  void retentionDeletingCheckpointedSegmentsNeitherBreaksARestartNorAnExport() throws IOException {
    Path root = tmp.resolve("p");
    RecordLogStateMachine.Retention small = new RecordLogStateMachine.Retention(20_000, Duration.ZERO);
    StateMachine live = RecordLogStateMachine.onDisk(root, small, 4096);
    apply(live, 0, 40);
    SnapshotData checkpoint = snapshot(live, 40);
    long startThen = live.describe().get("log_start_offset");
    apply(live, 40, 80); // retention deletes segments the checkpoint lists
    long startNow = live.describe().get("log_start_offset");
    assertTrue(startNow > startThen, startThen + " -> " + startNow);

    SnapshotData export = live.transferable(checkpoint);
    StateMachine follower = new RecordLogStateMachine(small, 4096);
    follower.restore(export.open());
    assertTrue(follower.describe().get("log_start_offset") >= startThen);
    assertEquals(400, follower.describe().get("high_watermark"));

    StateMachine restarted = RecordLogStateMachine.onDisk(root, small, 4096);
    restarted.restore(checkpoint.open());
    apply(restarted, 40, 80);
    assertEquals(live.describe(), restarted.describe());
    assertEquals(read(live, startNow), read(restarted, startNow));
  }

  @Test
  void aDamagedOrShortenedSegmentIsRefusedNamingTheFileNeverServed() throws IOException {
    Path root = tmp.resolve("p");
    StateMachine live = RecordLogStateMachine.onDisk(root, KEEP_ALL, 1 << 20);
    apply(live, 0, 50);
    SnapshotData checkpoint = snapshot(live, 50);
    live.close();
    Path segment = files(root).get(0);
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x10);
    }
    IOException flipped = assertThrows(IOException.class,
        () -> RecordLogStateMachine.onDisk(root, KEEP_ALL, 1 << 20).restore(checkpoint.open()));
    assertTrue(flipped.getMessage().contains(segment.getFileName().toString()), flipped.getMessage());
    assertTrue(flipped.getMessage().contains("damaged"), flipped.getMessage());

    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.setLength(f.length() - 100);
    }
    IOException shortened = assertThrows(IOException.class,
        () -> RecordLogStateMachine.onDisk(root, KEEP_ALL, 1 << 20).restore(checkpoint.open()));
    assertTrue(shortened.getMessage().contains("the snapshot refers to"), shortened.getMessage());
  }

  @Test
  void aDamagedBatchFoundByAReadIsAnErrorNotData() throws IOException {
    Path root = tmp.resolve("p");
    StateMachine live = RecordLogStateMachine.onDisk(root, KEEP_ALL, 1 << 20);
    apply(live, 0, 5);
    Path segment = files(root).get(0);
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.seek(200);
      f.write('!');
    }
    RecordLogReadResult r = read(live, 0);
    assertEquals(0, r.getRecordsCount());
    assertTrue(r.getError().contains("damaged record batch"), r.getError());
    assertTrue(r.getReplicaFault(), "not the request's fault");
  }

  @Test
  void aSnapshotOfAnEarlierVersionIsStillRead() throws IOException {
    ByteString.Output out = ByteString.newOutput();
    CodedOutputStream c = SnapshotFormat.begin(out, "record-log");
    c.writeUInt64NoTag(5); // start offset
    c.writeUInt64NoTag(3);
    for (String r : List.of("a", "b", "c")) c.writeBytesNoTag(ByteString.copyFromUtf8(r));
    c.writeUInt64NoTag(2);
    c.writeUInt64NoTag(7);
    c.writeUInt64NoTag(2);
    c.writeInt64NoTag(1000);
    c.writeUInt64NoTag(8);
    c.writeUInt64NoTag(1);
    c.writeInt64NoTag(2000);
    c.flush();
    StateMachine m = RecordLogStateMachine.onDisk(tmp.resolve("p"), KEEP_ALL, 4096);
    m.restore(out.toByteString().newInput());
    RecordLogReadResult r = read(m, 5);
    assertEquals(5, r.getLogStartOffset());
    assertEquals(8, r.getHighWatermark());
    assertEquals(List.of("a", "b", "c"), r.getRecordsList().stream().map(ByteString::toStringUtf8).toList());
  }
}
