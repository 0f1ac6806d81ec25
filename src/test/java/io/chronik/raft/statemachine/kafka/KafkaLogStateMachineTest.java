package io.chronik.raft.statemachine.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chronik.raft.kafka.proto.KafkaAppendResult;
import io.chronik.raft.kafka.proto.KafkaReadResult;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import io.chronik.raft.snapshot.InMemorySnapshot;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotMeta;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaLogStateMachineTest {
  private long index;

  private static SimpleRecord record(long timestamp, String value) {
    return new SimpleRecord(timestamp, ("k-" + value).getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8));
  }

  private static ByteString plain(Compression compression, long firstTimestamp, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) records[i] = record(firstTimestamp + i, values[i]);
    return ByteString.copyFrom(MemoryRecords.withRecords(compression, records).buffer());
  }

  private static ByteString idempotent(long producerId, short epoch, int sequence, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) records[i] = record(1000 + i, values[i]);
    return ByteString.copyFrom(MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, sequence,
        records).buffer());
  }

  private KafkaAppendResult append(KafkaLogStateMachine m, ByteString... batches) {
    return KafkaLogStateMachine.appendResult(m.apply(++index, KafkaLogStateMachine.append(List.of(batches), 1)));
  }

  private static KafkaReadResult fetch(KafkaLogStateMachine m, long offset, int maxBytes) {
    return KafkaLogStateMachine.readResult(m.query(KafkaLogStateMachine.fetch(offset, maxBytes)));
  }

  private static List<String> values(KafkaReadResult r) {
    List<String> out = new ArrayList<>();
    for (RecordBatch b : MemoryRecords.readableRecords(r.getRecords().asReadOnlyByteBuffer()).batches()) {
      assertTrue(b.isValid(), "served batch CRC");
      for (Record rec : b) out.add(rec.offset() + ":" + StandardCharsets.UTF_8.decode(rec.value()));
    }
    return out;
  }

  @Test
  void batchesGetDenseOffsetsAndAreServedByteForByteButForTheirBaseOffset() {
    KafkaLogStateMachine m = new KafkaLogStateMachine();
    ByteString first = plain(Compression.NONE, 100, "a", "b", "c");
    ByteString second = plain(Compression.gzip().build(), 200, "d", "e");
    assertEquals(0, append(m, first).getBaseOffset());
    assertEquals(3, append(m, second).getBaseOffset());
    KafkaReadResult all = fetch(m, 0, 1 << 20);
    assertEquals(5, all.getHighWatermark());
    assertEquals(List.of("0:a", "1:b", "2:c", "3:d", "4:e"), values(all));
    byte[] served = all.getRecords().toByteArray();
    byte[] expected = second.toByteArray();
    ByteBuffer.wrap(expected).putLong(0, 3); // only the base offset was set
    byte[] servedSecond = java.util.Arrays.copyOfRange(served, first.size(), served.length);
    assertArrayEquals(expected, servedSecond, "the gzip batch as produced, base offset set in place");
    // A fetch inside a batch gets the whole batch (the client skips what it did not ask for).
    assertEquals(List.of("3:d", "4:e"), values(fetch(m, 4, 1 << 20)));
    assertEquals(List.of("0:a", "1:b", "2:c"), values(fetch(m, 1, 1)), "the first batch always whole");
    assertEquals(0, fetch(m, 5, 100).getRecords().size(), "at the high watermark: nothing yet");
    assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), fetch(m, 6, 100).getErrorCode());
  }

  @Test
  void corruptTransactionalAndEmptyProducesAppendNothing() {
    KafkaLogStateMachine m = new KafkaLogStateMachine();
    byte[] corrupt = plain(Compression.NONE, 1, "x").toByteArray();
    corrupt[corrupt.length - 1] ^= 1;
    assertEquals(Errors.CORRUPT_MESSAGE.code(), append(m, ByteString.copyFrom(corrupt)).getErrorCode());
    ByteString transactional = ByteString.copyFrom(MemoryRecords.withTransactionalRecords(Compression.NONE, 7, (short) 0,
        0, record(1, "t")).buffer());
    assertEquals(Errors.CORRUPT_MESSAGE.code(), append(m, transactional).getErrorCode());
    assertEquals(Errors.INVALID_REQUEST.code(), append(m).getErrorCode());
    assertEquals(0, fetch(m, 0, 100).getHighWatermark());
  }

  @Test
  void idempotentProducersAppendEachBatchOnceAndRefuseGaps() {
    KafkaLogStateMachine m = new KafkaLogStateMachine();
    assertEquals(0, append(m, idempotent(42, (short) 0, 0, "a", "b")).getBaseOffset());
    assertEquals(2, append(m, idempotent(42, (short) 0, 2, "c")).getBaseOffset(), "sequences count records");
    KafkaAppendResult resend = append(m, idempotent(42, (short) 0, 0, "a", "b"));
    assertEquals(0, resend.getErrorCode());
    assertEquals(0, resend.getBaseOffset(), "a resend is answered with its original offset");
    assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), append(m, idempotent(42, (short) 0, 5, "g")).getErrorCode());
    assertEquals(3, append(m, idempotent(42, (short) 1, 0, "e")).getBaseOffset(), "a new epoch starts at 0");
    assertEquals(4, append(m, idempotent(43, (short) 0, 0, "f")).getBaseOffset(), "another producer");
    for (int s = 3; s < 9; s++) append(m, idempotent(42, (short) 0, s, "s" + s));
    assertEquals(Errors.DUPLICATE_SEQUENCE_NUMBER.code(), append(m, idempotent(42, (short) 0, 2, "c")).getErrorCode(),
        "older than the last five batches: applied, offset no longer known");
    assertEquals(Errors.UNKNOWN_PRODUCER_ID.code(),
        append(m, idempotent(KafkaLogStateMachine.MAX_PRODUCER_ID + 1, (short) 0, 0, "z")).getErrorCode());
    assertEquals(11, fetch(m, 0, 1 << 20).getHighWatermark());
  }

  /** Batches without a producer id under the taking node's identity: that node's resends are appended once. */
  @Test
  void aNodesIdentityMakesItsResendsOfPlainBatchesSafe() {
    KafkaLogStateMachine m = new KafkaLogStateMachine();
    ByteString a = plain(Compression.NONE, 1, "a", "b");
    ByteString first = KafkaLogStateMachine.append(List.of(a), 1, 99, 0);
    assertEquals(0, KafkaLogStateMachine.appendResult(m.apply(1, first)).getBaseOffset());
    KafkaAppendResult resend = KafkaLogStateMachine.appendResult(m.apply(2, first));
    assertEquals(0, resend.getErrorCode());
    assertEquals(0, resend.getBaseOffset(), "the resend is answered with the original offset");
    assertEquals(2, KafkaLogStateMachine.appendResult(m.apply(3, KafkaLogStateMachine.append(
        List.of(plain(Compression.NONE, 2, "c")), 1, 99, 1))).getBaseOffset());
    assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), KafkaLogStateMachine.appendResult(m.apply(4,
        KafkaLogStateMachine.append(List.of(plain(Compression.NONE, 3, "d")), 1, 99, 5))).getErrorCode());
    assertEquals(Errors.INVALID_REQUEST.code(), KafkaLogStateMachine.appendResult(m.apply(5,
        KafkaLogStateMachine.append(List.of(idempotent(7, (short) 0, 0, "e")), 1, 99, 2))).getErrorCode(),
        "a batch with its own producer id takes no node identity");
    assertEquals(3, fetch(m, 0, 1 << 20).getHighWatermark());
  }

  @Test
  void offsetsByTimestampLatestAndEarliest() {
    KafkaLogStateMachine m = new KafkaLogStateMachine();
    append(m, plain(Compression.NONE, 100, "a", "b", "c")); // timestamps 100..102, offsets 0..2
    append(m, plain(Compression.gzip().build(), 200, "d", "e")); // 200..201, offsets 3..4
    assertEquals(5, lookup(m, -1).getOffset());
    assertEquals(0, lookup(m, -2).getOffset());
    assertEquals(1, lookup(m, 101).getOffset());
    assertEquals(3, lookup(m, 150).getOffset());
    assertEquals(4, lookup(m, 201).getOffset(), "inside a gzip batch");
    assertEquals(201, lookup(m, 201).getTimestamp());
    assertEquals(-1, lookup(m, 500).getOffset(), "no record that late");
  }

  private static KafkaReadResult lookup(KafkaLogStateMachine m, long timestamp) {
    return KafkaLogStateMachine.readResult(m.query(KafkaLogStateMachine.offsetAt(timestamp)));
  }

  /** Random produces; a replica restored from a snapshot (and one on disk) serves and dedupes like the live one. */
  @Test
  void snapshotsCarryBatchesAndProducers(@TempDir Path dir) throws Exception {
    Random random = new Random(7);
    KafkaLogStateMachine live = KafkaLogStateMachine.onDisk(Files.createDirectories(dir.resolve("live")),
        RecordLogStateMachine.Retention.UNLIMITED, 4096, RecordLogStateMachine.ProducerLimits.DEFAULT);
    int[] next = new int[4];
    int[] lastCount = new int[4];
    long nodeSequence = 0;
    List<ByteString> commands = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      int producer = random.nextInt(4);
      int n = 1 + random.nextInt(3);
      String[] values = new String[n];
      for (int v = 0; v < n; v++) values[v] = i + "." + v;
      boolean resend = random.nextInt(5) == 0 && next[producer] > 0;
      if (producer == 0) {
        // A producer without idempotence, under a node's identity; sometimes the node resends its last.
        boolean nodeResend = random.nextInt(5) == 0 && nodeSequence > 0;
        long sequence = nodeResend ? nodeSequence - 1 : nodeSequence++;
        commands.add(KafkaLogStateMachine.append(List.of(plain(Compression.NONE, i, values)), i, 99, sequence));
        continue;
      }
      // A resend repeats the producer's last batch: same base sequence, same number of records.
      if (resend) values = java.util.Arrays.copyOf(values, lastCount[producer]);
      if (resend) for (int v = n; v < values.length; v++) values[v] = i + "." + v;
      ByteString batch = idempotent(producer, (short) 0, resend ? next[producer] - lastCount[producer] : next[producer],
          values);
      if (!resend) {
        next[producer] += n;
        lastCount[producer] = n;
      }
      commands.add(KafkaLogStateMachine.append(List.of(batch), i));
    }
    for (int i = 0; i < 150; i++) live.apply(i + 1, commands.get(i));
    // What a follower installs: the checkpoint turned into the segments' bytes.
    SnapshotData checkpoint = InMemorySnapshot.of(new SnapshotMeta(150, 1), live.snapshot());
    KafkaLogStateMachine restored = KafkaLogStateMachine.onDisk(Files.createDirectories(dir.resolve("installed")),
        RecordLogStateMachine.Retention.UNLIMITED, 4096, RecordLogStateMachine.ProducerLimits.DEFAULT);
    try (java.io.InputStream in = live.transferable(checkpoint).open()) {
      restored.restore(in);
    }
    List<ByteString> liveAnswers = new ArrayList<>();
    List<ByteString> restoredAnswers = new ArrayList<>();
    for (int i = 150; i < 300; i++) {
      liveAnswers.add(live.apply(i + 1, commands.get(i)));
      restoredAnswers.add(restored.apply(i + 1, commands.get(i)));
    }
    assertEquals(liveAnswers, restoredAnswers, "every produce after the snapshot answered alike");
    KafkaReadResult a = fetch(live, 0, Integer.MAX_VALUE);
    KafkaReadResult b = fetch(restored, 0, Integer.MAX_VALUE);
    assertEquals(a.getHighWatermark(), b.getHighWatermark());
    assertEquals(a.getRecords(), b.getRecords());
    assertTrue(values(a).size() > 300, "most batches appended");
    live.close();
    restored.close();
  }
}
