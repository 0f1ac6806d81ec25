package io.chronik.raft.replica;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.chronik.raft.snapshot.StateSnapshot;
import io.chronik.raft.statemachine.StateMachine;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The key-value machine, reporting every apply (and every no-op it skipped over) to the checks.
 * Its snapshots carry what it applied at each index, so a replica restored from a snapshot is
 * still checked for every acknowledged write the snapshot claims to contain.
 */
final class RecordingStateMachine implements StateMachine {
  private final String replica;
  private final SimInvariants invariants;
  private KeyValueStateMachine kv = new KeyValueStateMachine();
  final Map<Long, ByteString> applied = new HashMap<>();
  long lastIndex;
  /** How many snapshots this instance was restored from (0 or 1). */
  int restores;

  /** Asked before each apply: whether this replica's disk fails it (an environment failure: it throws). */
  private final java.util.function.LongPredicate diskFails;

  RecordingStateMachine(String replica, SimInvariants invariants) {
    this(replica, invariants, index -> false);
  }

  RecordingStateMachine(String replica, SimInvariants invariants, java.util.function.LongPredicate diskFails) {
    this.replica = replica;
    this.invariants = invariants;
    this.diskFails = diskFails;
  }

  @Override
  public ByteString apply(long index, ByteString command) {
    if (diskFails.test(index)) {
      throw new java.io.UncheckedIOException("cannot write the state of " + replica,
          new IOException("No space left on device"));
    }
    if (index <= lastIndex) {
      invariants.violations.add("apply order: " + replica + " applied " + index + " after " + lastIndex);
    }
    for (long skipped = lastIndex + 1; skipped < index; skipped++) invariants.onNoopApplied(replica, skipped);
    invariants.onApply(replica, index, command);
    applied.put(index, command);
    lastIndex = index;
    ByteString result = kv.apply(index, command);
    invariants.onState(replica, index, stateOfKeys());
    return result;
  }

  /** The values of the simulation's keys, to compare replicas' states after the same index. */
  private String stateOfKeys() {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < 3; k++) {
      sb.append(KeyValueStateMachine.result(kv.query(KeyValueStateMachine.get("k" + k))).getValue().toStringUtf8())
          .append(',');
    }
    return sb.toString();
  }

  @Override
  public ByteString query(ByteString query) {
    return kv.query(query);
  }

  @Override
  public StateSnapshot snapshot() {
    StateSnapshot kvState = kv.snapshot();
    Map<Long, ByteString> appliedNow = new HashMap<>(applied);
    long last = lastIndex;
    return out -> {
      ByteArrayOutputStream kvBytes = new ByteArrayOutputStream();
      kvState.writeTo(kvBytes);
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.writeUInt64NoTag(last);
      coded.writeUInt64NoTag(appliedNow.size());
      for (Map.Entry<Long, ByteString> e : appliedNow.entrySet()) {
        coded.writeUInt64NoTag(e.getKey());
        coded.writeBytesNoTag(e.getValue());
      }
      coded.writeByteArrayNoTag(kvBytes.toByteArray());
      coded.flush();
    };
  }

  @Override
  public void restore(InputStream in) throws IOException {
    CodedInputStream coded = CodedInputStream.newInstance(in);
    lastIndex = coded.readUInt64();
    long n = coded.readUInt64();
    applied.clear();
    for (long i = 0; i < n; i++) applied.put(coded.readUInt64(), coded.readBytes());
    kv = new KeyValueStateMachine();
    kv.restore(coded.readBytes().newInput());
    restores++;
    invariants.onState(replica, lastIndex, stateOfKeys());
    for (Map.Entry<Long, ByteString> e : applied.entrySet()) invariants.onApply(replica, e.getKey(), e.getValue());
  }
}
