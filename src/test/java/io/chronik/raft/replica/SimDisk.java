package io.chronik.raft.replica;

import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.snapshot.SnapshotData;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One replica's disk in the simulation. It keeps what was written apart from what was synced:
 * a crash reverts to the synced state. An honest storage syncs before it acknowledges; a lying
 * one acknowledges writes that only reach the platter later, if the process lives long enough.
 *
 * <p>Snapshots are written whole and atomically (temporary file, force, rename); saving one
 * drops the log entries it covers, written or synced. The log holds the entries after it.
 */
final class SimDisk {
  private HardState hardState = HardState.getDefaultInstance();
  private final List<LogEntry> log = new ArrayList<>();
  private HardState syncedHardState = hardState;
  private List<LogEntry> syncedLog = new ArrayList<>();
  private SnapshotData snapshot;

  void write(Persist p) {
    p.hardState().ifPresent(hs -> hardState = hs);
    if (p.truncateFrom() > 0) log.removeIf(e -> e.getIndex() >= p.truncateFrom());
    for (LogEntry e : p.entries()) {
      if (e.getIndex() <= snapshotIndex()) continue; // covered by the snapshot
      long expected = snapshotIndex() + log.size() + 1;
      if (e.getIndex() != expected) {
        throw new IllegalStateException("disk log gap: writing entry " + e.getIndex() + " where " + expected
            + " comes next (snapshot at " + snapshotIndex() + ")");
      }
      log.add(e);
    }
  }

  void sync() {
    syncedHardState = hardState;
    syncedLog = new ArrayList<>(log);
  }

  /** A snapshot reached the disk (atomically, durably): the entries it covers go. */
  void saveSnapshot(SnapshotData s) {
    if (snapshot != null && s.meta().index() <= snapshot.meta().index()) return;
    snapshot = s;
    log.removeIf(e -> e.getIndex() <= s.meta().index());
    syncedLog.removeIf(e -> e.getIndex() <= s.meta().index());
  }

  /** The process died: whatever was not synced is gone. */
  void crash() {
    hardState = syncedHardState;
    log.clear();
    log.addAll(syncedLog);
  }

  HardState hardState() {
    return hardState;
  }

  Optional<SnapshotData> snapshot() {
    return Optional.ofNullable(snapshot);
  }

  long snapshotIndex() {
    return snapshot == null ? 0 : snapshot.meta().index();
  }

  long snapshotTerm() {
    return snapshot == null ? 0 : snapshot.meta().term();
  }

  List<LogEntry> log() {
    return List.copyOf(log);
  }
}
