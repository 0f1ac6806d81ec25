package io.chronik.raft.replica;

import com.google.protobuf.ByteString;
import io.chronik.raft.statemachine.KeyValueStateMachine;
import io.chronik.raft.statemachine.StateMachine;
import java.util.HashMap;
import java.util.Map;

/** The key-value machine, reporting every apply (and every no-op it skipped over) to the checks. */
final class RecordingStateMachine implements StateMachine {
  private final String replica;
  private final SimInvariants invariants;
  private final KeyValueStateMachine kv = new KeyValueStateMachine();
  final Map<Long, ByteString> applied = new HashMap<>();
  long lastIndex;

  RecordingStateMachine(String replica, SimInvariants invariants) {
    this.replica = replica;
    this.invariants = invariants;
  }

  @Override
  public ByteString apply(long index, ByteString command) {
    if (index <= lastIndex) {
      invariants.violations.add("apply order: " + replica + " applied " + index + " after " + lastIndex);
    }
    for (long skipped = lastIndex + 1; skipped < index; skipped++) invariants.onNoopApplied(replica, skipped);
    invariants.onApply(replica, index, command);
    applied.put(index, command);
    lastIndex = index;
    return kv.apply(index, command);
  }

  @Override
  public ByteString query(ByteString query) {
    return kv.query(query);
  }
}
