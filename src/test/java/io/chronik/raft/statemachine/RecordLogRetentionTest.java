package io.chronik.raft.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chronik.raft.statemachine.proto.RecordLogReadResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordLogRetentionTest {
  private static List<ByteString> batch(int records, int bytesEach, int tag) {
    List<ByteString> out = new ArrayList<>();
    for (int i = 0; i < records; i++) out.add(ByteString.copyFrom(new byte[bytesEach - 1]).concat(ByteString.copyFrom(new byte[] {(byte) tag})));
    return out;
  }

  private static RecordLogReadResult read(RecordLogStateMachine log, long offset) {
    return RecordLogStateMachine.readResult(log.query(RecordLogStateMachine.read(offset, 1000, 1 << 20)));
  }

  @Test
  void theOldestBatchesGoBeyondTheByteLimitAndTheStartOffsetMoves() {
    RecordLogStateMachine log = new RecordLogStateMachine(new RecordLogStateMachine.Retention(1000, Duration.ZERO));
    for (int b = 0; b < 10; b++) log.apply(b + 1, RecordLogStateMachine.append(batch(3, 100, b), 1000 + b));
    // 10 batches of 300 bytes, 1,000 allowed: the last three batches stay (900 bytes)
    RecordLogReadResult r = read(log, 21);
    assertEquals(21, r.getLogStartOffset());
    assertEquals(30, r.getHighWatermark());
    assertEquals(9, r.getRecordsCount());
    RecordLogReadResult below = read(log, 20);
    assertTrue(below.getOutOfRange());
    assertTrue(below.getError().contains("log start offset 21"), below.getError());
    assertEquals(0, below.getRecordsCount());
  }

  @Test
  void batchesOlderThanTheAgeLimitGoByTheAppendTimesInTheCommandsNotByAClock() {
    RecordLogStateMachine log = new RecordLogStateMachine(new RecordLogStateMachine.Retention(0, Duration.ofSeconds(60)));
    log.apply(1, RecordLogStateMachine.append(batch(2, 10, 1), 1_000_000));
    log.apply(2, RecordLogStateMachine.append(batch(2, 10, 2), 1_030_000));
    assertEquals(0, read(log, 0).getLogStartOffset(), "both within a minute of the newest");
    log.apply(3, RecordLogStateMachine.append(batch(2, 10, 3), 1_070_000));
    assertEquals(2, read(log, 2).getLogStartOffset(), "the first is 70 s older than the newest");
    log.apply(4, RecordLogStateMachine.append(batch(1, 10, 4), 9_000_000));
    assertEquals(6, read(log, 6).getLogStartOffset(), "the newest batch always stays");
    assertEquals(1, read(log, 6).getRecordsCount());
  }

  @Test
  void aSnapshotCarriesTheStartOffsetAndWhatRetentionStillCounts() throws IOException {
    RecordLogStateMachine.Retention limit = new RecordLogStateMachine.Retention(500, Duration.ZERO);
    RecordLogStateMachine log = new RecordLogStateMachine(limit);
    for (int b = 0; b < 6; b++) log.apply(b + 1, RecordLogStateMachine.append(batch(2, 100, b), 0));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    log.snapshot().writeTo(out);
    RecordLogStateMachine restored = new RecordLogStateMachine(limit);
    restored.restore(ByteString.copyFrom(out.toByteArray()).newInput());
    assertEquals(read(log, 8), read(restored, 8));
    // both delete the same batch next: the retained byte count came along
    log.apply(7, RecordLogStateMachine.append(batch(2, 100, 7), 0));
    restored.apply(7, RecordLogStateMachine.append(batch(2, 100, 7), 0));
    assertEquals(read(log, 10), read(restored, 10));
    assertEquals(10, read(restored, 10).getLogStartOffset());
    assertFalse(read(restored, 10).getOutOfRange());
  }

  @Test
  void deletedRecordsAreReclaimedAfterManyBatches() {
    RecordLogStateMachine log = new RecordLogStateMachine(new RecordLogStateMachine.Retention(10_000, Duration.ZERO));
    for (int b = 0; b < 20_000; b++) log.apply(b + 1, RecordLogStateMachine.append(batch(1, 100, b), 0));
    RecordLogReadResult r = read(log, 19_900);
    assertEquals(19_900, r.getLogStartOffset());
    assertEquals(100, r.getRecordsCount());
    assertEquals((byte) 19_999, r.getRecords(99).byteAt(99), "offsets still map to the right records");
  }
}
