package io.chronik.raft.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replicas that applied the same commands hold the same state, and must write the same snapshot
 * bytes for it: two leaders that took a snapshot at the same index and term then send the same
 * bytes, so a follower's copy never depends on which leader sent which part.
 */
class SnapshotDeterminismTest {
  private static ByteString write(StateSnapshot s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.writeTo(out);
    return ByteString.copyFrom(out.toByteArray());
  }

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
