package io.chronik.raft.storage;

import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.storage.proto.StorageWrite;
import java.util.ArrayList;
import java.util.List;

/**
 * A replica's durable state rebuilt by replaying its storage writes in order: the latest hard
 * state and the log entries after the snapshot at {@link #snapshotIndex} (entries it covers are
 * skipped; a later write may still carry some). Shared by every storage that keeps writes as
 * {@link StorageWrite} records.
 */
final class RecoveredLog {
  HardState hardState = HardState.getDefaultInstance();
  final long snapshotIndex;
  final List<LogEntry> entries = new ArrayList<>();

  RecoveredLog(long snapshotIndex) {
    this.snapshotIndex = snapshotIndex;
  }

  void apply(StorageWrite w) {
    if (w.hasHardState()) hardState = w.getHardState();
    if (w.getTruncateFrom() > 0) {
      int keep = (int) Math.max(0, Math.min(entries.size(), w.getTruncateFrom() - snapshotIndex - 1));
      entries.subList(keep, entries.size()).clear();
    }
    for (LogEntry e : w.getEntriesList()) {
      if (e.getIndex() <= snapshotIndex) continue;
      long expected = snapshotIndex + entries.size() + 1;
      if (e.getIndex() != expected) {
        throw new IllegalStateException("the log holds a gap: entry " + e.getIndex() + " where " + expected
            + " comes next (snapshot at " + snapshotIndex + ")");
      }
      entries.add(e);
    }
  }

  long lastIndex() {
    return snapshotIndex + entries.size();
  }
}
