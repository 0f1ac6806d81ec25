package io.chronik.raft.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chronik.raft.snapshot.StateSnapshot;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateMachineSnapshotTest {
  private static ByteString write(StateSnapshot s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.writeTo(out);
    return ByteString.copyFrom(out.toByteArray());
  }

  @Test
  void theKeyValueMapRoundTripsAndTheSnapshotIsFrozenWhenTaken() throws IOException {
    KeyValueStateMachine kv = new KeyValueStateMachine();
    for (int i = 0; i < 1000; i++) kv.apply(i + 1, KeyValueStateMachine.put("k" + i, ByteString.copyFromUtf8("v" + i)));
    StateSnapshot frozen = kv.snapshot();
    kv.apply(1001, KeyValueStateMachine.put("k1", ByteString.copyFromUtf8("later")));
    kv.apply(1002, KeyValueStateMachine.delete("k2"));
    KeyValueStateMachine restored = new KeyValueStateMachine();
    restored.restore(write(frozen).newInput());
    assertEquals("v1", KeyValueStateMachine.result(restored.query(KeyValueStateMachine.get("k1"))).getValue()
        .toStringUtf8(), "written after it was taken, the snapshot still holds the state it was taken at");
    assertTrue(KeyValueStateMachine.result(restored.query(KeyValueStateMachine.get("k2"))).getFound());
    assertEquals("v999", KeyValueStateMachine.result(restored.query(KeyValueStateMachine.get("k999"))).getValue()
        .toStringUtf8());
  }

  @Test
  void theRecordLogRoundTripsWithItsOffsets() throws IOException {
    RecordLogStateMachine log = new RecordLogStateMachine();
    for (int i = 0; i < 50; i++) {
      log.apply(i + 1, RecordLogStateMachine.append(
          List.of(ByteString.copyFromUtf8("r" + i), ByteString.copyFromUtf8("s" + i))));
    }
    StateSnapshot frozen = log.snapshot();
    log.apply(51, RecordLogStateMachine.append(List.of(ByteString.copyFromUtf8("late"))));
    RecordLogStateMachine restored = new RecordLogStateMachine();
    restored.restore(write(frozen).newInput());
    var read = RecordLogStateMachine.readResult(restored.query(RecordLogStateMachine.read(97, 10, 1 << 20)));
    assertEquals(100, read.getHighWatermark());
    assertEquals(List.of(ByteString.copyFromUtf8("s48"), ByteString.copyFromUtf8("r49"),
        ByteString.copyFromUtf8("s49")), read.getRecordsList());
    var appended = RecordLogStateMachine.appendResult(
        restored.apply(52, RecordLogStateMachine.append(List.of(ByteString.copyFromUtf8("next")))));
    assertEquals(100, appended.getFirstOffset(), "offsets continue after a restore");
  }

  @Test
  void aSnapshotOfAnotherKindOrGarbageIsRefused() throws IOException {
    ByteString recordLog = write(new RecordLogStateMachine().snapshot());
    IOException e = assertThrows(IOException.class, () -> new KeyValueStateMachine().restore(recordLog.newInput()));
    assertTrue(e.getMessage().contains("record-log"), e.getMessage());
    assertThrows(IOException.class,
        () -> new RecordLogStateMachine().restore(ByteString.copyFromUtf8("\u0003xyz").newInput()));
  }

  // ---- equal state, equal bytes: two leaders' snapshots at one index and term are the same bytes
  // for a follower, so its copy never depends on which leader sent which part.

  @Test
  void keyValueSnapshotsOfEqualStateAreByteIdentical() throws IOException {
    // The same 200 keys and values, put in opposite orders; the second map also held (and
    // deleted) 5,000 other keys, so its hash table grew: iteration orders differ both ways.
    KeyValueStateMachine forward = new KeyValueStateMachine();
    KeyValueStateMachine backward = new KeyValueStateMachine();
    long index = 0;
    for (int i = 0; i < 200; i++) forward.apply(++index, KeyValueStateMachine.put("k" + i, value(i)));
    index = 0;
    for (int i = 0; i < 5000; i++) backward.apply(++index, KeyValueStateMachine.put("tmp" + i, value(i)));
    for (int i = 199; i >= 0; i--) backward.apply(++index, KeyValueStateMachine.put("k" + i, value(i)));
    for (int i = 0; i < 5000; i++) backward.apply(++index, KeyValueStateMachine.delete("tmp" + i));
    assertEquals(write(forward.snapshot()), write(backward.snapshot()));
  }

  /**
   * The record log's transferable form (its segments' bytes, with the producers' table): equal for
   * equal applied commands. (Its on-disk checkpoint names this node's own directory and never
   * travels; followers get the segments form, see {@code RecordLogFiles#transferable}.)
   */
  @Test
  void recordLogSnapshotsOfEqualStateAreByteIdentical() throws IOException {
    RecordLogStateMachine one = new RecordLogStateMachine();
    RecordLogStateMachine two = new RecordLogStateMachine();
    for (RecordLogStateMachine log : List.of(one, two)) {
      for (int i = 0; i < 60; i++) {
        log.apply(i + 1, RecordLogStateMachine.append(List.of(value(i), value(i + 1)), 1_000 + i, 7 + i % 3, i / 3));
      }
    }
    assertEquals(write(one.snapshot()), write(two.snapshot()));
  }

  private static ByteString value(int i) {
    return ByteString.copyFromUtf8("value-" + i);
  }
}
