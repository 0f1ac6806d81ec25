package io.chronik.raft.replica;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.chronik.raft.replica.StorageProtocol.CompleteSnapshot;
import io.chronik.raft.replica.StorageProtocol.SaveSnapshot;
import io.chronik.raft.replica.StorageProtocol.SnapshotChunkStored;
import io.chronik.raft.replica.StorageProtocol.SnapshotSaved;
import io.chronik.raft.replica.StorageProtocol.StoreSnapshotChunk;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotMeta;
import io.chronik.raft.statemachine.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * A replica's snapshots (Raft §7): taking one when enough was applied since the last, compacting
 * the log once it is durable, and — on a follower — receiving the leader's snapshot in chunks
 * and switching to it.
 *
 * <p>Taking a snapshot never stalls the replica: the state machine freezes its state on the actor
 * ({@link StateMachine#snapshot()}, cheap) and the storage writes it elsewhere. The log is
 * compacted only after the snapshot is durable, so recovery always finds a snapshot and every
 * entry after it.
 *
 * <p>Receiving (Figure 13): chunks go to storage in order; the follower keeps serving from its
 * current state meanwhile. When the last chunk is stored, a log that disagrees with the
 * snapshot's last entry loses its entries after it (they are on another branch, never
 * committed), durably, and only then does storage make the snapshot the replica's base. The
 * state machine is then replaced in one step, so a read sees either the old state or the new.
 */
final class Snapshotting {
  private final Replica r;
  private Optional<SnapshotData> latest = Optional.empty();
  private boolean saving;
  private long bytesSinceSnapshot;
  /**
   * Set when this replica installed a leader's snapshot: it takes its own at the next applied
   * entry, so the received copy (for a record log, every retained record) does not stay on disk
   * beside the state it was restored into until the thresholds say so.
   */
  private boolean ownSnapshotDue;
  /** The leader's snapshot this follower receives, or null. */
  private Incoming incoming;

  private record Incoming(SnapshotMeta meta, long size, boolean completing) {}

  Snapshotting(Replica replica) {
    this.r = replica;
  }

  /** The leader's form of {@link #latest} for followers ({@link StateMachine#transferable}), made once per snapshot. */
  private SnapshotData outgoing;

  /** The latest durable snapshot: the base of this replica's log. */
  Optional<SnapshotData> latest() {
    return latest;
  }

  /**
   * What a leader streams to a follower its log cannot serve: the latest snapshot as the state
   * machine transfers it. The same object for every follower and every chunk of one snapshot, so a
   * transfer resumes at any offset; empty when there is no snapshot.
   */
  Optional<SnapshotData> outgoing() throws IOException {
    if (latest.isEmpty()) return Optional.empty();
    if (outgoing == null || !outgoing.meta().equals(latest.get().meta())) {
      closeOutgoing();
      outgoing = r.stateMachine.transferable(latest.get());
    }
    return Optional.of(outgoing);
  }

  private void closeOutgoing() {
    if (outgoing instanceof java.io.Closeable c) {
      try {
        c.close();
      } catch (IOException e) {
        r.log.debug("closing the snapshot sent to followers: {}", e.getMessage());
      }
    }
    outgoing = null;
  }

  /** The replica stops: files the outgoing snapshot holds open are closed. */
  void stopped() {
    closeOutgoing();
  }

  /** Storage (re)started from {@code recovered}; nothing this replica asked of the old storage is pending now. */
  void recovered(Optional<SnapshotData> recovered) {
    closeOutgoing();
    latest = recovered;
    saving = false;
    ownSnapshotDue = false;
    incoming = null;
    bytesSinceSnapshot = 0;
  }

  /** Restores {@code snapshot} into a fresh state machine from the replica's factory. */
  StateMachine restore(SnapshotData snapshot) {
    StateMachine fresh = r.newStateMachine();
    try (InputStream in = snapshot.open()) {
      fresh.restore(in);
    } catch (IOException e) {
      throw new UncheckedIOException("group " + r.members.groupId() + " replica " + r.members.self()
          + ": cannot restore " + snapshot.meta() + " (" + e.getMessage() + ")", e);
    }
    return fresh;
  }

  // ---------------------------------------------------------------- taking snapshots

  /** An entry with {@code commandBytes} of command was applied. */
  void applied(int commandBytes) {
    bytesSinceSnapshot += commandBytes;
  }

  /** Takes a snapshot of the applied state when the thresholds say so and none is being written. */
  void maybeTake() {
    if (saving || incoming != null) return;
    long base = latest.map(s -> s.meta().index()).orElse(0L);
    ReplicaSettings.Snapshots s = r.settings.snapshots();
    if (r.lastApplied - base < s.entries() && bytesSinceSnapshot < s.bytes() && !ownSnapshotDue) return;
    if (r.lastApplied <= base) return;
    SnapshotMeta meta = new SnapshotMeta(r.lastApplied, r.raftLog.termAt(r.lastApplied));
    saving = true;
    ownSnapshotDue = false;
    bytesSinceSnapshot = 0;
    r.storage().tell(new SaveSnapshot(meta, r.stateMachine.snapshot(), r.ctx.getSelf()));
  }

  Behavior<Command> onSaved(SnapshotSaved saved) {
    SnapshotMeta meta = saved.snapshot().meta();
    if (saved.received()) {
      install(saved.snapshot());
    } else {
      saving = false;
      if (latest.isEmpty() || latest.get().meta().index() < meta.index()) latest = Optional.of(saved.snapshot());
      compactMemory(meta.index());
    }
    return Behaviors.same();
  }

  /** Keeps {@code retained-entries} before the snapshot in memory for followers a little behind. */
  private void compactMemory(long snapshotIndex) {
    long upTo = Math.min(snapshotIndex - r.settings.snapshots().retainedEntries(), r.lastApplied);
    if (upTo > r.raftLog.compactedIndex()) r.raftLog.compactTo(upTo, r.raftLog.termAt(upTo));
  }

  // ---------------------------------------------------------------- receiving (follower)

  /** Raft §7 receiver side, one chunk. The caller has recorded contact from the leader. */
  Behavior<Command> onInstallSnapshot(InstallSnapshot is) {
    SnapshotMeta meta = new SnapshotMeta(is.lastIndex(), is.lastTerm());
    if (meta.index() <= r.commitIndex) {
      // Everything it covers is committed here already, and committed entries agree with the
      // leader's (§5.4): nothing to install.
      answer(meta, 0, true);
      return Behaviors.same();
    }
    if (incoming != null && incoming.completing()) return Behaviors.same(); // the leader sends again
    if (incoming == null || !incoming.meta().equals(meta)) {
      if (is.offset() != 0) {
        answer(meta, 0, false); // not receiving this one: start over
        return Behaviors.same();
      }
      incoming = new Incoming(meta, is.totalSize(), false);
    }
    r.storage().tell(new StoreSnapshotChunk(meta, is.offset(), is.data(), r.ctx.getSelf()));
    return Behaviors.same();
  }

  Behavior<Command> onChunkStored(SnapshotChunkStored stored) {
    if (incoming == null || !incoming.meta().equals(stored.meta()) || incoming.completing()) return Behaviors.same();
    if (stored.nextOffset() < incoming.size()) {
      answer(stored.meta(), stored.nextOffset(), false);
      return Behaviors.same();
    }
    SnapshotMeta meta = incoming.meta();
    incoming = new Incoming(meta, incoming.size(), true);
    if (r.raftLog.lastIndex() > meta.index() && r.raftLog.termAt(meta.index()) != meta.term()) {
      // Figure 13 step 7: entries after a disagreeing snapshot point are on another branch.
      r.raftLog.truncateFrom(meta.index() + 1);
      r.writes.truncateFrom(meta.index() + 1);
    }
    long size = incoming.size();
    r.writes.afterPersist(() -> r.storage().tell(new CompleteSnapshot(meta, size, r.ctx.getSelf())));
    return Behaviors.same();
  }

  /** The leader's snapshot is durable here: switch to it. */
  private void install(SnapshotData snapshot) {
    SnapshotMeta meta = snapshot.meta();
    incoming = null;
    latest = Optional.of(snapshot);
    if (meta.index() <= r.lastApplied) {
      compactMemory(meta.index()); // applied past it meanwhile
    } else {
      StateMachine previous = r.stateMachine;
      r.stateMachine = restore(snapshot);
      previous.close();
      closeOutgoing();
      if (r.raftLog.lastIndex() >= meta.index() && r.raftLog.termAt(meta.index()) == meta.term()) {
        r.raftLog.compactTo(meta.index(), meta.term()); // Figure 13 step 6: keep what follows
      } else {
        if (r.raftLog.lastIndex() > meta.index()) r.writes.truncateFrom(meta.index() + 1);
        r.raftLog.resetTo(meta.index(), meta.term());
      }
      r.writes.covered(meta.index());
      r.lastApplied = meta.index();
      bytesSinceSnapshot = 0;
      ownSnapshotDue = true;
      r.log.info("group {} replica {}: installed the leader's {} ({} bytes)", r.members.groupId(), r.members.self(),
          meta, snapshot.size());
      r.commitIndex = Math.max(r.commitIndex, meta.index());
      r.applyCommitted();
    }
    answer(meta, snapshot.size(), true);
  }

  private void answer(SnapshotMeta meta, long nextOffset, boolean installed) {
    r.leaderId.ifPresent(leader -> r.sendAfterPersist(leader, new InstallSnapshotResponse(r.members.groupId(), r.term,
        r.members.self(), meta.index(), meta.term(), nextOffset, installed)));
  }
}
