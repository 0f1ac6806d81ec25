package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;
import io.chronik.raft.core.RaftLog;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Persist-before-speak with write coalescing. At most one {@link Persist} is in flight; the
 * mutations that arrive meanwhile accumulate into the next one, so under load one disk write
 * carries many proposals and the replica never blocks waiting for its disk.
 *
 * <p>Invariant: an action registered with {@link #afterPersist} runs only after every mutation
 * registered before it is durable (storage acknowledges writes in order). Raft requires that of
 * votes (§5.2), AppendEntries acknowledgements (§5.3) and any reply carrying a new term.
 */
final class WriteQueue {
  private final ActorRef<Command> self;
  private final ReplicaMetrics metrics;
  /** The in-memory log whose changes this queue makes durable: read when a write is issued or acknowledged. */
  private final RaftLog log;
  private ActorRef<StorageCommand> storage;
  private long nextWriteId = 1;

  private InFlight inFlight;
  private Optional<HardState> pendingHardState = Optional.empty();
  private long pendingTruncateFrom;
  private final List<LogEntry> pendingEntries = new ArrayList<>();
  private List<Runnable> pendingActions = new ArrayList<>();
  /** Last log index known durable (a truncation lowers it at once: those entries no longer count). */
  private long durableIndex;

  private record InFlight(long writeId, long lastIndex, List<Runnable> actions, long issuedNanos) {}

  /** {@code log}: as recovered, all of it durable. */
  WriteQueue(ActorRef<Command> self, ActorRef<StorageCommand> storage, RaftLog log, ReplicaMetrics metrics) {
    this.self = self;
    this.metrics = metrics;
    this.storage = storage;
    this.log = log;
    this.durableIndex = log.lastIndex();
  }

  long durableIndex() {
    return durableIndex;
  }

  boolean idle() {
    return inFlight == null && !hasPendingData() && pendingActions.isEmpty();
  }

  void hardState(HardState hs) {
    pendingHardState = Optional.of(hs);
  }

  /** Entries at {@code fromIndex} and after are gone from the log. */
  void truncateFrom(long fromIndex) {
    pendingEntries.removeIf(e -> e.getIndex() >= fromIndex);
    boolean removesDurableOrInFlight = pendingEntries.isEmpty();
    if (removesDurableOrInFlight) {
      pendingTruncateFrom = pendingTruncateFrom == 0 ? fromIndex : Math.min(pendingTruncateFrom, fromIndex);
    }
    durableIndex = Math.min(durableIndex, fromIndex - 1);
  }

  /** A durable snapshot covers the log up to {@code index}: as good as durable entries. */
  void covered(long index) {
    durableIndex = Math.max(durableIndex, index);
  }

  void append(List<LogEntry> entries) {
    pendingEntries.addAll(entries);
  }

  void append(LogEntry entry) {
    pendingEntries.add(entry);
  }

  /** Runs {@code action} once everything registered so far is durable (at once when it already is). */
  void afterPersist(Runnable action) {
    if (inFlight == null && !hasPendingData()) {
      action.run();
    } else {
      pendingActions.add(action);
    }
  }

  /** Issues the accumulated mutations as one write, unless a write is already in flight. */
  void flush() {
    if (inFlight != null) return;
    if (!hasPendingData()) {
      runPendingActions();
      return;
    }
    long id = nextWriteId++;
    metrics.storageWrite(pendingEntries.size());
    storage.tell(new Persist(id, pendingHardState, pendingTruncateFrom, pendingEntries, self));
    inFlight = new InFlight(id, log.lastIndex(), pendingActions, System.nanoTime());
    pendingHardState = Optional.empty();
    pendingTruncateFrom = 0;
    pendingEntries.clear();
    pendingActions = new ArrayList<>();
  }

  /**
   * Storage confirmed write {@code writeId}. Returns false for an acknowledgement that is not
   * the one awaited (a previous storage incarnation's), which must be ignored.
   */
  boolean persisted(long writeId) {
    if (inFlight == null || inFlight.writeId != writeId) return false;
    InFlight done = inFlight;
    inFlight = null;
    metrics.writeStage(ReplicaLatency.WriteStage.STORAGE, done.issuedNanos);
    // Entries appended since this write was issued are not durable yet; a truncation since then
    // has already lowered durableIndex.
    durableIndex = Math.max(durableIndex, Math.min(done.lastIndex, log.lastIndex()));
    if (pendingTruncateFrom > 0) durableIndex = Math.min(durableIndex, pendingTruncateFrom - 1);
    for (Runnable action : done.actions) action.run();
    flush();
    return true;
  }

  private boolean hasPendingData() {
    return pendingHardState.isPresent() || pendingTruncateFrom > 0 || !pendingEntries.isEmpty();
  }

  private void runPendingActions() {
    List<Runnable> actions = pendingActions;
    pendingActions = new ArrayList<>();
    for (Runnable action : actions) action.run();
  }
}
