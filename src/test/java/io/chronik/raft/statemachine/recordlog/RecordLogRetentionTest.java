package io.chronik.raft.statemachine.recordlog;

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

  /** Segments of 1 KiB: three batches of three 100-byte records (340 bytes each with headers) fill one. */
  private static RecordLogStateMachine log(long retentionBytes, Duration age, int segmentBytes) {
    return new RecordLogStateMachine(new RecordLogStateMachine.Retention(retentionBytes, age), segmentBytes);
  }

  @Test
  void theOldestSegmentsGoBeyondTheByteLimitAndTheStartOffsetMoves() {
    RecordLogStateMachine log = log(2000, Duration.ZERO, 1024);
    for (int b = 0; b < 10; b++) log.apply(b + 1, RecordLogStateMachine.append(batch(3, 100, b), 1000 + b));
    // segments [b0..b2] [b3..b5] [b6..b8] [b9] of 1,020/1,020/1,020/340 bytes, 2,000 allowed:
    // the first two went as each pushed the total past 2,000
    RecordLogReadResult r = read(log, 18);
    assertEquals(18, r.getLogStartOffset());
    assertEquals(30, r.getHighWatermark());
    assertEquals(12, r.getRecordsCount());
    assertEquals((byte) 6, r.getRecords(0).byteAt(99), "offset 18 is the first record of batch 6");
    assertTrue(log.describe().get("log_bytes") <= 2000 + 340, "disk stays within retention + one batch");
    RecordLogReadResult below = read(log, 17);
    assertTrue(below.getOutOfRange());
    assertTrue(below.getError().contains("log start offset 18"), below.getError());
    assertEquals(0, below.getRecordsCount());
  }

  @Test
  void segmentsOlderThanTheAgeLimitGoByTheAppendTimesInTheCommandsNotByAClock() {
    RecordLogStateMachine log = log(0, Duration.ofSeconds(60), 1 << 20);
    log.apply(1, RecordLogStateMachine.append(batch(2, 10, 1), 1_000_000));
    log.apply(2, RecordLogStateMachine.append(batch(2, 10, 2), 1_030_000));
    log.apply(3, RecordLogStateMachine.append(batch(2, 10, 3), 1_070_000));
    // the first segment began 70 s before the third batch, so that batch began a new segment; the
    // first segment's newest batch is only 40 s older: it stays
    assertEquals(0, read(log, 0).getLogStartOffset());
    assertEquals(2L, log.describe().get("segments"));
    log.apply(4, RecordLogStateMachine.append(batch(1, 10, 4), 9_000_000));
    assertEquals(6, read(log, 6).getLogStartOffset(), "both old segments went; the one being written stays");
    assertEquals(1, read(log, 6).getRecordsCount());
  }

  @Test
  void aSnapshotCarriesTheSegmentsSoBothDeleteTheSameOnesNext() throws IOException {
    RecordLogStateMachine log = log(2000, Duration.ZERO, 1024);
    for (int b = 0; b < 7; b++) log.apply(b + 1, RecordLogStateMachine.append(batch(3, 100, b), 0));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    log.snapshot().writeTo(out);
    RecordLogStateMachine restored = log(2000, Duration.ZERO, 1024);
    restored.restore(ByteString.copyFrom(out.toByteArray()).newInput());
    assertEquals(read(log, 9), read(restored, 9));
    assertEquals(log.describe(), restored.describe());
    for (int b = 7; b < 12; b++) {
      log.apply(b + 1, RecordLogStateMachine.append(batch(3, 100, b), 0));
      restored.apply(b + 1, RecordLogStateMachine.append(batch(3, 100, b), 0));
      assertEquals(log.describe(), restored.describe(), "after batch " + b);
    }
    assertEquals(read(log, 27), read(restored, 27));
    assertEquals(27, read(restored, 27).getLogStartOffset());
    assertFalse(read(restored, 27).getOutOfRange());
  }

  @Test
  void offsetsMapToTheirRecordsAcrossManySegmentsAndDeletions() {
    RecordLogStateMachine log = log(10_000, Duration.ZERO, 1024);
    for (int b = 0; b < 20_000; b++) log.apply(b + 1, RecordLogStateMachine.append(batch(1, 100, b), 0));
    long start = log.describe().get("log_start_offset");
    assertTrue(start > 19_800 && start < 19_950, "start offset " + start);
    for (long o = start; o < 20_000; o += 13) {
      RecordLogReadResult r = read(log, o);
      assertEquals((byte) o, r.getRecords(0).byteAt(99), "offset " + o);
      assertEquals(20_000 - o, r.getRecordsCount());
    }
  }

  @Test
  void aReadStopsAtItsByteLimitButAlwaysReturnsOneRecord() {
    RecordLogStateMachine log = log(0, Duration.ZERO, 1024);
    for (int b = 0; b < 10; b++) log.apply(b + 1, RecordLogStateMachine.append(batch(3, 100, b), 0));
    log.apply(11, RecordLogStateMachine.append(batch(1, 5000, 99), 0)); // larger than a segment
    var limited = RecordLogStateMachine.readResult(log.query(RecordLogStateMachine.read(2, 100, 250)));
    assertEquals(2, limited.getRecordsCount(), "two records of 100 bytes fit in 250");
    var large = RecordLogStateMachine.readResult(log.query(RecordLogStateMachine.read(30, 100, 10)));
    assertEquals(1, large.getRecordsCount());
    assertEquals(5000, large.getRecords(0).size());
    var across = RecordLogStateMachine.readResult(log.query(RecordLogStateMachine.read(7, 5, 1 << 20)));
    // offsets 7..11 are in batches 2, 2, 3, 3, 3, across the first segment's end (batches 0..2)
    assertEquals(List.of((byte) 2, (byte) 2, (byte) 3, (byte) 3, (byte) 3),
        across.getRecordsList().stream().map(r -> r.byteAt(99)).toList());
  }
}
