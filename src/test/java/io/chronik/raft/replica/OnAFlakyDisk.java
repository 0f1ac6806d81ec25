package io.chronik.raft.replica;

import com.google.protobuf.ByteString;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.StateSnapshot;
import io.chronik.raft.statemachine.StateMachine;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** A record log whose appends fail like a full disk's while {@code full} is set. */
final class OnAFlakyDisk implements StateMachine {
  private final RecordLogStateMachine records = new RecordLogStateMachine();
  private final AtomicBoolean full;

  OnAFlakyDisk(AtomicBoolean full) {
    this.full = full;
  }

  @Override
  public ByteString apply(long index, ByteString command) {
    if (full.get()) {
      throw new UncheckedIOException("cannot write records to /data/records/node-3/orders-0",
          new IOException("No space left on device"));
    }
    return records.apply(index, command);
  }

  @Override
  public ByteString query(ByteString query) {
    return records.query(query);
  }

  @Override
  public StateSnapshot snapshot() {
    return records.snapshot();
  }

  @Override
  public void restore(InputStream in) throws IOException {
    records.restore(in);
  }

  @Override
  public SnapshotData transferable(SnapshotData stored) throws IOException {
    return records.transferable(stored);
  }

  @Override
  public Map<String, Long> describe() {
    return records.describe();
  }
}
