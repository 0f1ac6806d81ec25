package io.chronik.raft.replica;

import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * One replica's disk in the simulation. It keeps what was written apart from what was synced:
 * a crash reverts to the synced state. An honest storage syncs before it acknowledges; a lying
 * one acknowledges writes that only reach the platter later, if the process lives long enough.
 */
final class SimDisk {
  private HardState hardState = HardState.getDefaultInstance();
  private final List<LogEntry> log = new ArrayList<>();
  private HardState syncedHardState = hardState;
  private List<LogEntry> syncedLog = new ArrayList<>();

  void write(Persist p) {
    p.hardState().ifPresent(hs -> hardState = hs);
    if (p.truncateFrom() > 0) {
      int keep = (int) Math.min(log.size(), p.truncateFrom() - 1);
      log.subList(keep, log.size()).clear();
    }
    log.addAll(p.entries());
  }

  void sync() {
    syncedHardState = hardState;
    syncedLog = new ArrayList<>(log);
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

  List<LogEntry> log() {
    return List.copyOf(log);
  }
}
