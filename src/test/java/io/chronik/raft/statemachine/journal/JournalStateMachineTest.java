package io.chronik.raft.statemachine.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.persistence.proto.DeleteEvents;
import io.chronik.raft.persistence.proto.SnapshotCriteria;
import io.chronik.raft.persistence.proto.EventRecord;
import io.chronik.raft.persistence.proto.EventWrite;
import io.chronik.raft.persistence.proto.JournalCommand;
import io.chronik.raft.persistence.proto.JournalEvent;
import io.chronik.raft.persistence.proto.JournalQuery;
import io.chronik.raft.persistence.proto.JournalReadResult;
import io.chronik.raft.persistence.proto.JournalResult;
import io.chronik.raft.persistence.proto.PersistenceIdsQuery;
import io.chronik.raft.persistence.proto.TagQuery;
import io.chronik.raft.persistence.proto.ReplayQuery;
import io.chronik.raft.persistence.proto.Serialized;
import io.chronik.raft.persistence.proto.SnapshotRecord;
import io.chronik.raft.persistence.proto.WriteBatch;
import io.chronik.raft.snapshot.InMemorySnapshot;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotMeta;
import io.chronik.raft.statemachine.StateMachine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalStateMachineTest {
  @TempDir Path tmp;
  private long index;

  private static EventWrite write(String id, String writer, long... sequenceNrs) {
    EventWrite.Builder w = EventWrite.newBuilder().setPersistenceId(id).setWriterUuid(writer);
    for (long s : sequenceNrs) {
      w.addEvents(JournalEvent.newBuilder().setSequenceNr(s).setTimestamp(1000 + s).addTags("all")
          .addTags(s % 2 == 0 ? "even" : "odd")
          .setPayload(Serialized.newBuilder().setSerializerId(20).setBytes(ByteString.copyFromUtf8(id + ":" + s))));
    }
    return w.build();
  }

  private JournalResult apply(StateMachine m, JournalCommand c) throws InvalidProtocolBufferException {
    return JournalResult.parseFrom(m.apply(++index, c.toByteString()));
  }

  private JournalResult apply(StateMachine m, EventWrite... writes) throws InvalidProtocolBufferException {
    return apply(m, JournalCommand.newBuilder().setWrite(WriteBatch.newBuilder().addAllWrites(List.of(writes))).build());
  }

  private static JournalReadResult replay(StateMachine m, String id, long from, long to, long max) throws IOException {
    return JournalReadResult.parseFrom(m.query(JournalQuery.newBuilder().setReplay(ReplayQuery.newBuilder()
        .setPersistenceId(id).setFromSequenceNr(from).setToSequenceNr(to).setMax(max)).build().toByteString()));
  }

  private static List<Long> sequenceNrs(JournalReadResult r) {
    return r.getEventsList().stream().map(e -> e.getEvent().getSequenceNr()).toList();
  }

  private static List<Long> all(StateMachine m, String id) throws IOException {
    return sequenceNrs(replay(m, id, 1, Long.MAX_VALUE, Long.MAX_VALUE));
  }

  @Test
  void replaysAPersistenceIdsEventsInOrderWithinTheBoundsAndTheCount() throws IOException {
    JournalStateMachine m = new JournalStateMachine();
    assertEquals(List.of("", ""), apply(m, write("a", "w1", 1, 2), write("b", "w2", 1)).getWriteErrorsList());
    apply(m, write("a", "w1", 3), write("b", "w2", 2, 3));
    apply(m, write("a", "w1", 4, 5));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), all(m, "a"));
    assertEquals(List.of(1L, 2L, 3L), all(m, "b"));
    assertEquals(List.of(2L, 3L), sequenceNrs(replay(m, "a", 2, 4, 2)));
    assertTrue(replay(m, "a", 2, 4, 2).getMore(), "event 4 also matches");
    assertFalse(replay(m, "a", 2, 3, 5).getMore());
    assertEquals(5, replay(m, "a", 2, 3, 5).getHighestSequenceNr());
    assertEquals(0, replay(m, "nobody", 1, 9, 9).getHighestSequenceNr());
    EventRecord first = replay(m, "b", 1, 1, 1).getEvents(0);
    assertEquals("w2", first.getWriterUuid());
    assertEquals("b:1", first.getEvent().getPayload().getBytes().toStringUtf8());
    assertEquals(1001, first.getEvent().getTimestamp());
  }

  @Test
  void aResendOfTheLastWriteIsStoredOnceAndAnotherWriterCannotTakeASequenceNumber() throws IOException {
    JournalStateMachine m = new JournalStateMachine();
    apply(m, write("a", "w1", 1, 2));
    apply(m, write("a", "w1", 3));
    assertEquals(List.of(""), apply(m, write("a", "w1", 3)).getWriteErrorsList(), "a resend is answered as written");
    assertEquals(List.of(""), apply(m, write("a", "w1", 1, 2), write("a", "w1", 3)).getWriteErrorsList().subList(0, 1));
    assertEquals(List.of(1L, 2L, 3L), all(m, "a"), "stored once");

    String refused = apply(m, write("a", "w2", 3, 4)).getWriteErrors(0);
    assertTrue(refused.contains("sequence number 3 is taken") && refused.contains("two incarnations"), refused);
    assertEquals(List.of(1L, 2L, 3L), all(m, "a"), "a refused write stores nothing, not even its new event 4");
    assertEquals(List.of("", ""), apply(m, write("a", "w2", 4), write("a", "w2", 5)).getWriteErrorsList(),
        "the new incarnation writes after the highest");
    assertFalse(apply(m, write("a", "w1", 4)).getWriteErrors(0).isEmpty(),
        "the old incarnation's late resend is refused once another writer wrote");
    assertTrue(apply(m, write("a", "w2", 7, 6)).getWriteErrors(0).contains("must grow"));
    assertTrue(apply(m, write("", "w2", 1)).getWriteErrors(0).contains("without a persistence id"));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), all(m, "a"));
  }

  @Test
  void deletingKeepsTheHighestSequenceNumberAndNeverDeletesLaterEvents() throws IOException {
    JournalStateMachine m = new JournalStateMachine();
    apply(m, write("a", "w", 1, 2, 3, 4, 5));
    apply(m, JournalCommand.newBuilder().setDeleteEvents(DeleteEvents.newBuilder().setPersistenceId("a").setToSequenceNr(3)).build());
    assertEquals(List.of(4L, 5L), all(m, "a"));
    apply(m, JournalCommand.newBuilder().setDeleteEvents(DeleteEvents.newBuilder().setPersistenceId("a")
        .setToSequenceNr(Long.MAX_VALUE)).build());
    assertEquals(List.of(), all(m, "a"));
    assertEquals(5, replay(m, "a", 1, Long.MAX_VALUE, 10).getHighestSequenceNr());
    apply(m, write("a", "w", 6));
    assertEquals(List.of(6L), all(m, "a"), "deleting to MAX_VALUE deleted up to the highest then, not what came after");
    assertEquals(1L, m.describe().get("events"));
  }

  @Test
  void snapshotsAreOverwrittenLoadedByCriteriaAndDeleted() throws IOException {
    JournalStateMachine m = new JournalStateMachine();
    for (long s = 11; s <= 15; s++) saveSnapshot(m, "a", s, 100 * s, "s" + s);
    saveSnapshot(m, "a", 15, 1600, "s15-again");
    assertEquals("s15-again", load(m, "a", 0, Long.MAX_VALUE, 0, Long.MAX_VALUE));
    assertEquals("s13", load(m, "a", 0, 13, 0, Long.MAX_VALUE));
    assertEquals("s12", load(m, "a", 0, 13, 0, 1250));
    assertEquals(null, load(m, "a", 0, 10, 0, Long.MAX_VALUE));
    assertEquals(null, load(m, "b", 0, Long.MAX_VALUE, 0, Long.MAX_VALUE));
    apply(m, JournalCommand.newBuilder().setDeleteSnapshots(SnapshotCriteria.newBuilder().setPersistenceId("a")
        .setMinSequenceNr(0).setMaxSequenceNr(13).setMinTimestamp(0).setMaxTimestamp(1250)).build());
    assertEquals("s13", load(m, "a", 0, 13, 0, Long.MAX_VALUE), "13's timestamp is past the bound: kept");
    assertEquals(null, load(m, "a", 0, 12, 0, Long.MAX_VALUE));
  }

  private static JournalReadResult byTag(StateMachine m, String tag, long from, long max) throws IOException {
    return JournalReadResult.parseFrom(m.query(JournalQuery.newBuilder().setByTag(TagQuery.newBuilder().setTag(tag)
        .setFromPosition(from).setMax(max)).build().toByteString()));
  }

  private static List<String> events(JournalReadResult r) {
    return r.getEventsList().stream().map(e -> e.getPersistenceId() + ":" + e.getEvent().getSequenceNr()).toList();
  }

  @Test
  void tagQueriesPageByPositionAndSkipDeletedEventsAndIdsComeInTheOrderOfTheirFirstEvent() throws IOException {
    JournalStateMachine m = new JournalStateMachine();
    apply(m, write("b", "w", 1, 2), write("a", "w", 1));
    apply(m, write("a", "w", 2, 3), write("c", "w", 1));
    assertEquals(List.of("b:2", "a:2"), events(byTag(m, "even", 0, 10)));
    JournalReadResult first = byTag(m, "all", 0, 2);
    assertEquals(List.of("b:1", "b:2"), events(first));
    assertTrue(first.getMore());
    JournalReadResult second = byTag(m, "all", first.getNext(), 10);
    assertEquals(List.of("a:1", "a:2", "a:3", "c:1"), events(second));
    assertFalse(second.getMore());
    assertEquals(second.getNext(), byTag(m, "all", second.getNext(), 10).getNext(), "nothing new: the same place");
    apply(m, JournalCommand.newBuilder().setDeleteEvents(DeleteEvents.newBuilder().setPersistenceId("b").setToSequenceNr(1)).build());
    assertEquals(List.of("b:2", "a:1", "a:2", "a:3", "c:1"), events(byTag(m, "all", 0, 10)));
    assertEquals(List.of(), events(byTag(m, "nobody", 0, 10)));

    JournalReadResult ids = JournalReadResult.parseFrom(m.query(JournalQuery.newBuilder().setPersistenceIds(
        PersistenceIdsQuery.newBuilder().setFromOrdinal(1).setMax(1)).build().toByteString()));
    assertEquals(List.of("a"), ids.getPersistenceIdsList());
    assertEquals(2, ids.getNext());
    assertTrue(ids.getMore());
  }

  private void saveSnapshot(StateMachine m, String id, long sequenceNr, long timestamp, String value) throws IOException {
    apply(m, JournalCommand.newBuilder().setSaveSnapshot(SnapshotRecord.newBuilder().setPersistenceId(id)
        .setSequenceNr(sequenceNr).setTimestamp(timestamp)
        .setSnapshot(Serialized.newBuilder().setBytes(ByteString.copyFromUtf8(value)))).build());
  }

  private static String load(StateMachine m, String id, long minSeq, long maxSeq, long minTs, long maxTs)
      throws IOException {
    JournalReadResult r = JournalReadResult.parseFrom(m.query(JournalQuery.newBuilder().setLoadSnapshot(
        SnapshotCriteria.newBuilder().setPersistenceId(id).setMinSequenceNr(minSeq).setMaxSequenceNr(maxSeq)
            .setMinTimestamp(minTs).setMaxTimestamp(maxTs)).build().toByteString()));
    return r.getHasSnapshot() ? r.getSnapshot().getSnapshot().getBytes().toStringUtf8() : null;
  }

  /**
   * Random writes, resends, foreign writers, deletions and snapshots, applied to one machine; a
   * second restarts from a checkpoint taken midway (on disk, small segments) and applies the rest
   * of the log, a third installs the exported snapshot: all three answer every query alike.
   */
  @Test
  void aRestartFromACheckpointAndAnInstalledSnapshotRebuildTheSameIndex() throws IOException {
    Random random = new Random(7);
    List<JournalCommand> log = new ArrayList<>();
    long[] highest = new long[6];
    for (int i = 0; i < 600; i++) {
      int id = random.nextInt(highest.length);
      int roll = random.nextInt(20);
      if (roll == 0) {
        log.add(JournalCommand.newBuilder().setDeleteEvents(DeleteEvents.newBuilder().setPersistenceId("p" + id)
            .setToSequenceNr(random.nextInt((int) highest[id] + 2))).build());
      } else if (roll == 1) {
        log.add(JournalCommand.newBuilder().setSaveSnapshot(SnapshotRecord.newBuilder().setPersistenceId("p" + id)
            .setSequenceNr(highest[id]).setTimestamp(i)
            .setSnapshot(Serialized.newBuilder().setBytes(ByteString.copyFromUtf8("snap" + i)))).build());
      } else {
        String writer = roll == 2 ? "intruder" : "w" + id;
        long from = roll == 3 ? Math.max(1, highest[id]) : highest[id] + 1;
        long[] seqs = new long[1 + random.nextInt(3)];
        for (int k = 0; k < seqs.length; k++) seqs[k] = from + k;
        if (roll != 2 && roll != 3) highest[id] = seqs[seqs.length - 1];
        log.add(JournalCommand.newBuilder().setWrite(WriteBatch.newBuilder().addWrites(write("p" + id, writer, seqs))).build());
      }
    }
    StateMachine live = JournalStateMachine.onDisk(tmp.resolve("live"), 2048);
    StateMachine restarted = JournalStateMachine.onDisk(tmp.resolve("restarted"), 2048);
    SnapshotData checkpoint = null;
    List<ByteString> liveResults = new ArrayList<>();
    List<JournalReadResult> atCheckpoint = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) {
      liveResults.add(live.apply(i + 1, log.get(i).toByteString()));
      if (i == 299) {
        checkpoint = InMemorySnapshot.of(new SnapshotMeta(i + 1, 1), live.snapshot());
        for (int id = 0; id < highest.length; id++) atCheckpoint.add(replay(live, "p" + id, 0, Long.MAX_VALUE, Long.MAX_VALUE));
      }
    }
    SnapshotData export = live.transferable(checkpoint);
    StateMachine installed = JournalStateMachine.onDisk(tmp.resolve("installed"), 2048);
    installed.restore(export.open());
    // The restarted replica restores its own checkpoint of the live files: copy them first, as its disk.
    copyTree(tmp.resolve("live"), tmp.resolve("restarted"));
    restarted.restore(checkpoint.open());
    for (int id = 0; id < highest.length; id++) {
      assertEquals(atCheckpoint.get(id), replay(restarted, "p" + id, 0, Long.MAX_VALUE, Long.MAX_VALUE), "p" + id);
      assertEquals(atCheckpoint.get(id), replay(installed, "p" + id, 0, Long.MAX_VALUE, Long.MAX_VALUE), "p" + id);
    }
    for (int i = 300; i < log.size(); i++) {
      assertEquals(liveResults.get(i), restarted.apply(i + 1, log.get(i).toByteString()), "command " + (i + 1));
      assertEquals(liveResults.get(i), installed.apply(i + 1, log.get(i).toByteString()), "command " + (i + 1));
    }
    for (int id = 0; id < highest.length; id++) {
      JournalReadResult expected = replay(live, "p" + id, 0, Long.MAX_VALUE, Long.MAX_VALUE);
      assertTrue(expected.getEventsCount() > 0 || expected.getHighestSequenceNr() > 0, "p" + id + " was written");
      assertEquals(expected, replay(restarted, "p" + id, 0, Long.MAX_VALUE, Long.MAX_VALUE), "p" + id);
      assertEquals(expected, replay(installed, "p" + id, 0, Long.MAX_VALUE, Long.MAX_VALUE), "p" + id);
      assertEquals(load(live, "p" + id, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE),
          load(restarted, "p" + id, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE));
    }
    for (String tag : List.of("all", "even", "odd")) {
      assertEquals(byTag(live, tag, 0, Long.MAX_VALUE), byTag(restarted, tag, 0, Long.MAX_VALUE), tag);
      assertEquals(byTag(live, tag, 0, Long.MAX_VALUE), byTag(installed, tag, 0, Long.MAX_VALUE), tag);
    }
    assertEquals(live.describe(), restarted.describe());
    assertEquals(live.describe(), installed.describe());
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var files = java.nio.file.Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (java.nio.file.Files.isDirectory(p)) java.nio.file.Files.createDirectories(target);
        else java.nio.file.Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
