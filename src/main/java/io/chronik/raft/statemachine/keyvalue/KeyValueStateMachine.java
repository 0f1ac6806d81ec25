package io.chronik.raft.statemachine.keyvalue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.snapshot.StateSnapshot;
import io.chronik.raft.statemachine.SnapshotFormat;
import io.chronik.raft.statemachine.StateMachine;
import io.chronik.raft.statemachine.proto.KvCommand;
import io.chronik.raft.statemachine.proto.KvCompareAndSet;
import io.chronik.raft.statemachine.proto.KvQuery;
import io.chronik.raft.statemachine.proto.KvResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** A replicated key-value map: put, delete, compare-and-set; get as a query. */
public final class KeyValueStateMachine implements StateMachine {
  private final Map<String, ByteString> map = new HashMap<>();

  @Override
  public ByteString apply(long index, ByteString command) {
    KvCommand cmd;
    try {
      cmd = KvCommand.parseFrom(command);
    } catch (InvalidProtocolBufferException e) {
      return error("not a KvCommand: " + e.getMessage());
    }
    return switch (cmd.getOpCase()) {
      case PUT -> prior(map.put(cmd.getPut().getKey(), cmd.getPut().getValue()), true);
      case DELETE -> prior(map.remove(cmd.getDelete().getKey()), true);
      case COMPARE_AND_SET -> compareAndSet(cmd.getCompareAndSet());
      case OP_NOT_SET -> error("KvCommand has no operation set");
    };
  }

  private ByteString compareAndSet(KvCompareAndSet cas) {
    ByteString current = map.get(cas.getKey());
    boolean matches = cas.getExpectAbsent() ? current == null : cas.getExpectedValue().equals(current);
    if (matches) map.put(cas.getKey(), cas.getNewValue());
    return prior(current, matches);
  }

  @Override
  public ByteString query(ByteString query) {
    KvQuery q;
    try {
      q = KvQuery.parseFrom(query);
    } catch (InvalidProtocolBufferException e) {
      return error("not a KvQuery: " + e.getMessage());
    }
    return prior(map.get(q.getKey()), true);
  }

  /**
   * A shallow copy of the map (keys and values are immutable): O(keys) on the actor, no value bytes
   * copied. Written in key order (sorted where it is written, off the actor): equal states give
   * byte-identical snapshots on every replica, whatever order their maps iterate in — two leaders'
   * snapshots at one index are then the same bytes for a follower.
   */
  @Override
  public StateSnapshot snapshot() {
    Map<String, ByteString> frozen = new HashMap<>(map);
    return out -> {
      CodedOutputStream coded = SnapshotFormat.begin(out, "key-value");
      coded.writeUInt64NoTag(frozen.size());
      for (Map.Entry<String, ByteString> e : new TreeMap<>(frozen).entrySet()) {
        coded.writeStringNoTag(e.getKey());
        coded.writeBytesNoTag(e.getValue());
      }
      coded.flush();
    };
  }

  @Override
  public void restore(InputStream in) throws IOException {
    CodedInputStream coded = SnapshotFormat.open(in, "key-value");
    long count = coded.readUInt64();
    map.clear();
    for (long i = 0; i < count; i++) {
      SnapshotFormat.keepReading(coded);
      map.put(coded.readString(), coded.readBytes());
    }
  }

  @Override
  public java.util.Map<String, Long> describe() {
    return java.util.Map.of("keys", (long) map.size());
  }

  private static ByteString prior(ByteString value, boolean applied) {
    KvResult.Builder r = KvResult.newBuilder().setApplied(applied).setFound(value != null);
    if (value != null) r.setValue(value);
    return r.build().toByteString();
  }

  private static ByteString error(String message) {
    return KvResult.newBuilder().setError(message).build().toByteString();
  }

  // ---- codecs for callers ----

  public static ByteString put(String key, ByteString value) {
    return KvCommand.newBuilder().setPut(io.chronik.raft.statemachine.proto.KvPut.newBuilder()
        .setKey(key).setValue(value)).build().toByteString();
  }

  public static ByteString delete(String key) {
    return KvCommand.newBuilder().setDelete(io.chronik.raft.statemachine.proto.KvDelete.newBuilder()
        .setKey(key)).build().toByteString();
  }

  /** Compare-and-set; {@code expected == null} means "only if absent". */
  public static ByteString compareAndSet(String key, ByteString expected, ByteString newValue) {
    KvCompareAndSet.Builder cas = KvCompareAndSet.newBuilder().setKey(key).setNewValue(newValue);
    if (expected == null) cas.setExpectAbsent(true); else cas.setExpectedValue(expected);
    return KvCommand.newBuilder().setCompareAndSet(cas).build().toByteString();
  }

  public static ByteString get(String key) {
    return KvQuery.newBuilder().setKey(key).build().toByteString();
  }

  public static KvResult result(ByteString bytes) {
    try {
      return KvResult.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a KvResult", e);
    }
  }
}
