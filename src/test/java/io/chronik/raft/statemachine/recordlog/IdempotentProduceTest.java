package io.chronik.raft.statemachine.recordlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chronik.raft.snapshot.InMemorySnapshot;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotMeta;
import io.chronik.raft.statemachine.StateMachine;
import io.chronik.raft.statemachine.proto.RecordLogAppendResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record log's idempotent producers: a resend is answered, not appended; the table is replicated state. */
class IdempotentProduceTest {
  private static final long P = 0x5eed_cafe_f00dL;
  @TempDir Path tmp;
  private long index;

  private RecordLogAppendResult produce(StateMachine log, long producer, long sequence, String... records) {
    return produce(log, producer, sequence, 1_000 + index, records);
  }

  private RecordLogAppendResult produce(StateMachine log, long producer, long sequence, long appendTime,
      String... records) {
    List<ByteString> batch = java.util.Arrays.stream(records).map(ByteString::copyFromUtf8).toList();
    return RecordLogStateMachine.appendResult(log.apply(++index,
        RecordLogStateMachine.append(batch, appendTime, producer, sequence)));
  }

  private static long highWatermark(StateMachine log) {
    return log.describe().get("high_watermark");
  }

  private static List<String> all(StateMachine log) {
    return RecordLogStateMachine.readResult(log.query(RecordLogStateMachine.read(0, 1000, 1 << 20))).getRecordsList()
        .stream().map(ByteString::toStringUtf8).toList();
  }

  @Test
  void aResentBatchIsAnsweredWithItsOriginalOffsetsAndNotAppendedAgain() {
    RecordLogStateMachine log = new RecordLogStateMachine();
    RecordLogAppendResult first = produce(log, P, 0, "a", "b");
    RecordLogAppendResult second = produce(log, P, 1, "c");
    RecordLogAppendResult resend = produce(log, P, 0, "a", "b");
    assertTrue(resend.getDuplicate(), resend.toString());
    assertEquals(first.getFirstOffset(), resend.getFirstOffset());
    assertEquals(2, resend.getCount());
    assertFalse(second.getDuplicate());
    assertEquals(List.of("a", "b", "c"), all(log), "nothing appended twice");
  }

  @Test
  void aSequenceThatSkipsAheadOrIsOlderThanTheLastFiveIsRefusedNamingTheExpectedOne() {
    RecordLogStateMachine log = new RecordLogStateMachine();
    for (int s = 0; s < 7; s++) produce(log, P, s, "r" + s);
    RecordLogAppendResult gap = produce(log, P, 9, "lost?");
    assertTrue(gap.getOutOfSequence());
    assertTrue(gap.getError().contains("send sequence 7 next"), gap.getError());
    RecordLogAppendResult ancient = produce(log, P, 1, "r1");
    assertTrue(ancient.getOutOfSequence(), "sequence 1 is older than the 5 batches kept (2..6)");
    assertTrue(produce(log, P, 2, "r2").getDuplicate(), "sequence 2 is the oldest kept");
    assertEquals(7, highWatermark(log), "neither refused batch was appended");
  }

  @Test
  void producersAreIndependentAndBatchesWithoutAProducerAreNeverDeduplicated() {
    RecordLogStateMachine log = new RecordLogStateMachine();
    produce(log, P, 0, "p");
    assertFalse(produce(log, P + 1, 0, "q").getDuplicate(), "another producer's sequence 0");
    log.apply(++index, RecordLogStateMachine.append(List.of(ByteString.copyFromUtf8("x")), 5));
    log.apply(++index, RecordLogStateMachine.append(List.of(ByteString.copyFromUtf8("x")), 5));
    assertEquals(List.of("p", "q", "x", "x"), all(log));
  }

  @Test
  void theTableSurvivesACheckpointAndRestartAndTravelsWithTheExportToAFollower() throws IOException {
    StateMachine leader = RecordLogStateMachine.onDisk(tmp.resolve("leader"), RecordLogStateMachine.Retention.UNLIMITED,
        4096);
    RecordLogAppendResult original = produce(leader, P, 0, "a");
    produce(leader, P, 1, "b");
    SnapshotData checkpoint = InMemorySnapshot.of(new SnapshotMeta(index, 1), leader.snapshot());

    StateMachine restarted = RecordLogStateMachine.onDisk(tmp.resolve("leader"), RecordLogStateMachine.Retention.UNLIMITED,
        4096);
    leader.close();
    restarted.restore(checkpoint.open());
    RecordLogAppendResult afterRestart = produce(restarted, P, 0, "a");
    assertTrue(afterRestart.getDuplicate(), "a restarted replica still knows the producer");
    assertEquals(original.getFirstOffset(), afterRestart.getFirstOffset());

    SnapshotData export = restarted.transferable(checkpoint);
    StateMachine follower = RecordLogStateMachine.onDisk(tmp.resolve("follower"),
        RecordLogStateMachine.Retention.UNLIMITED, 4096);
    follower.restore(export.open());
    assertTrue(produce(follower, P, 1, "b").getDuplicate(), "a follower that installed the snapshot knows it too");
    assertFalse(produce(follower, P, 2, "c").getDuplicate());
    assertEquals(List.of("a", "b", "c"), all(follower));
  }

  @Test
  void inMemorySnapshotsCarryTheTableToo() throws IOException {
    RecordLogStateMachine log = new RecordLogStateMachine();
    produce(log, P, 0, "a");
    SnapshotData snapshot = InMemorySnapshot.of(new SnapshotMeta(index, 1), log.snapshot());
    RecordLogStateMachine restored = new RecordLogStateMachine();
    restored.restore(snapshot.open());
    assertTrue(produce(restored, P, 0, "a").getDuplicate());
    assertEquals(1L, restored.describe().get("producers"));
  }

  @Test
  void theTableIsBoundedByCountAndByIdleTimeMeasuredInAppendTimes() {
    RecordLogStateMachine log = new RecordLogStateMachine(RecordLogStateMachine.Retention.UNLIMITED,
        RecordLogStateMachine.DEFAULT_SEGMENT_BYTES, new RecordLogStateMachine.ProducerLimits(3, Duration.ofSeconds(60)));
    for (long p = 1; p <= 5; p++) produce(log, p, 0, 1_000, "r" + p);
    assertEquals(3L, log.describe().get("producers"), "at most 3 producers");
    assertFalse(produce(log, 1, 0, 1_000, "r1").getDuplicate(), "the least recently written was forgotten");
    assertTrue(produce(log, 5, 0, 1_000, "r5").getDuplicate(), "a recent one is remembered");
    produce(log, 9, 0, 1_000 + 61_000, "late");
    assertEquals(1L, log.describe().get("producers"), "the others were idle for more than 60 s of append time");
  }
}
