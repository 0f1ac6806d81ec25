package io.chronik.raft.replica;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.chronik.raft.core.SnapshotRules;
import io.chronik.raft.core.SnapshotRules.Receiving;
import io.chronik.raft.core.SnapshotRules.Transfer;
import io.chronik.raft.replica.StorageProtocol.CompleteSnapshot;
import io.chronik.raft.replica.StorageProtocol.DiscardSnapshot;
import io.chronik.raft.replica.StorageProtocol.SaveSnapshot;
import io.chronik.raft.replica.StorageProtocol.SnapshotChunkStored;
import io.chronik.raft.replica.StorageProtocol.SnapshotSaved;
import io.chronik.raft.replica.StorageProtocol.StoreSnapshotChunk;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotMeta;
import io.chronik.raft.snapshot.SnapshotReceiver;
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
 * A transfer is one leader's, in one term: a new leader's snapshot starts over rather than
 * continue another's bytes, a transfer whose leader is gone is dropped with its partial file, and
 * the assembled bytes are installed only if they match the leader's CRC32C.
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
  /** The id of the last transfer this replica received (storage knows transfers by it). */
  private long transfers;

  /**
   * One transfer being received: {@code id} in storage; {@code receiving} what the rules see of it
   * (its leader, term, transfer id and snapshot name it on the wire). {@code checksum}: the
   * leader's CRC32C of the whole snapshot, once its last chunk came.
   */
  private record Incoming(long id, Receiving receiving, long checksum, SnapshotMeta meta) {
    Transfer transfer() {
      return receiving.transfer();
    }

    String leader() {
      return receiving.transfer().leader();
    }

    long term() {
      return receiving.transfer().term();
    }

    long size() {
      return receiving.size();
    }

    boolean completing() {
      return receiving.completing();
    }

    Incoming withChecksum(long crc) {
      return new Incoming(id, receiving, crc, meta);
    }

    Incoming asCompleting() {
      return new Incoming(id, new Receiving(receiving.transfer(), receiving.size(), true), checksum, meta);
    }
  }

  private SnapshotRules rules() {
    return r.settings.rules().snapshots();
  }

  private Receiving receiving() {
    return incoming == null ? null : incoming.receiving();
  }

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

  /**
   * The replica applied entries whose commands hold {@code appliedBytes}: takes a snapshot of the
   * applied state when the thresholds say so and none is being written.
   */
  void afterApply(long appliedBytes) {
    bytesSinceSnapshot += appliedBytes;
    dropIfAbandoned();
    long base = latest.map(s -> s.meta().index()).orElse(0L);
    ReplicaSettings.Snapshots s = r.settings.snapshots();
    SnapshotRules.Taking taking = new SnapshotRules.Taking(r.lastApplied, base, bytesSinceSnapshot, ownSnapshotDue,
        saving, incoming != null);
    if (!rules().snapshotDue(taking, s.entries(), s.bytes())) return;
    // The configuration in force at the snapshot's index goes with it: the entries that held it
    // are compacted away once the snapshot is durable.
    long configIndex = r.raftLog.configIndexAt(r.lastApplied);
    SnapshotMeta meta = new SnapshotMeta(r.lastApplied, r.raftLog.termAt(r.lastApplied),
        r.raftLog.configAt(r.lastApplied), configIndex);
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
      // Entries applied while this one was written may make the next one due already; waiting for
      // the next write would leave the log that long after a burst followed by silence.
      afterApply(0);
    }
    return Behaviors.same();
  }

  /** Keeps {@code retained-entries} before the snapshot in memory for followers a little behind. */
  private void compactMemory(long snapshotIndex) {
    long upTo = rules().compactTo(snapshotIndex, r.settings.snapshots().retainedEntries(), r.lastApplied,
        r.raftLog.compactedIndex());
    if (upTo > 0) r.compactLogTo(upTo);
  }

  // ---------------------------------------------------------------- receiving (follower)

  /**
   * Raft §7 receiver side, one chunk ({@link SnapshotRules#onChunk}). The caller has recorded
   * contact from the leader.
   */
  Behavior<Command> onInstallSnapshot(InstallSnapshot is) {
    SnapshotMeta meta = is.meta();
    dropIfAbandoned();
    Transfer chunk = new Transfer(is.from(), is.term(), is.transfer(), is.lastIndex(), is.lastTerm());
    switch (rules().onChunk(receiving(), chunk, is.offset(), r.commitIndex)) {
      case ALREADY_COMMITTED -> {
        answer(is.from(), is.transfer(), meta, 0, true);
        return Behaviors.same();
      }
      case IGNORE -> {
        return Behaviors.same();
      }
      case START_OVER -> {
        answer(is.from(), is.transfer(), meta, 0, false);
        return Behaviors.same();
      }
      case NEW_TRANSFER -> {
        if (incoming != null) drop("the leader " + is.from() + " starts another transfer");
        // The snapshot's configuration comes with every chunk; it is saved with the state.
        incoming = new Incoming(++transfers, new Receiving(chunk, is.totalSize(), false), SnapshotReceiver.NO_CHECKSUM,
            meta);
      }
      case CONTINUE -> { }
    }
    if (is.last()) incoming = incoming.withChecksum(is.checksum()); // through the last byte: the whole snapshot's
    r.storage().tell(new StoreSnapshotChunk(incoming.id(), meta, is.offset(), is.data(), r.ctx.getSelf()));
    return Behaviors.same();
  }

  Behavior<Command> onChunkStored(SnapshotChunkStored stored) {
    if (incoming == null || incoming.id() != stored.transfer()) return Behaviors.same();
    if (dropIfAbandoned()) return Behaviors.same();
    SnapshotRules.StoredVerdict verdict = rules().onChunkStored(incoming.receiving(), stored.checksumMismatch(),
        stored.nextOffset());
    if (verdict == SnapshotRules.StoredVerdict.MISMATCH) {
      r.log.warn("group {} replica {}: the {} received from {} in term {} does not match the leader's CRC32C {}; "
          + "discarded, receiving it again", r.members.groupId(), r.members.self(), incoming.meta(), incoming.leader(),
          incoming.term(), Long.toHexString(incoming.checksum()));
      Incoming failed = incoming;
      incoming = null;
      answer(failed.leader(), failed.transfer().id(), failed.meta(), 0, false);
      return Behaviors.same();
    }
    if (verdict == SnapshotRules.StoredVerdict.WAIT) return Behaviors.same();
    if (verdict == SnapshotRules.StoredVerdict.RESUME) {
      answer(incoming.leader(), incoming.transfer().id(), stored.meta(), stored.nextOffset(), false);
      return Behaviors.same();
    }
    incoming = incoming.asCompleting();
    SnapshotMeta meta = incoming.meta();
    if (rules().conflictsWithLog(meta.index(), meta.term(), r.raftLog)) {
      // Figure 13 step 7: entries after a disagreeing snapshot point are on another branch.
      r.truncateLogFrom(meta.index() + 1);
    }
    CompleteSnapshot complete = new CompleteSnapshot(incoming.id(), meta, incoming.size(), incoming.checksum(),
        r.ctx.getSelf());
    r.writes.afterPersist(() -> r.storage().tell(complete));
    return Behaviors.same();
  }

  /**
   * Drops the transfer being received when nothing will complete it ({@link SnapshotRules#abandoned}).
   * Otherwise a transfer a leader gave up would hold the partial file open and, since no snapshot
   * is taken while one is received, let the log grow for good. Returns whether it dropped one.
   */
  private boolean dropIfAbandoned() {
    String why = switch (rules().abandoned(receiving(), r.term, r.leaderId, r.commitIndex)) {
      case KEEP -> null;
      case LEADER_GONE -> "its leader no longer leads (term " + r.term + ", leader " + r.leaderId.orElse("unknown") + ")";
      case COMMITTED -> "entries up to " + r.commitIndex + " are committed here";
    };
    if (why == null) return false;
    drop(why);
    return true;
  }

  /** Drops the transfer being received; storage deletes its bytes. */
  private void drop(String why) {
    r.log.info("group {} replica {}: dropping the unfinished transfer of {} from {} (term {}): {}",
        r.members.groupId(), r.members.self(), incoming.meta(), incoming.leader(), incoming.term(), why);
    r.storage().tell(new DiscardSnapshot(incoming.id()));
    incoming = null;
  }

  /** The leader's snapshot is durable here: switch to it. */
  private void install(SnapshotData snapshot) {
    SnapshotMeta meta = snapshot.meta();
    long transfer = incoming != null && incoming.meta().sameIndexAndTerm(meta) ? incoming.transfer().id() : 0;
    incoming = null;
    latest = Optional.of(snapshot);
    SnapshotRules.Install how = rules().install(meta.index(), meta.term(), r.lastApplied, r.raftLog);
    if (how == SnapshotRules.Install.ALREADY_APPLIED) {
      compactMemory(meta.index()); // applied past it meanwhile
    } else {
      r.installSnapshot(restore(snapshot), meta, how == SnapshotRules.Install.KEEP_SUFFIX);
      closeOutgoing();
      bytesSinceSnapshot = 0;
      ownSnapshotDue = true;
      r.log.info("group {} replica {}: installed the leader's {} ({} bytes)", r.members.groupId(), r.members.self(),
          meta, snapshot.size());
      r.applyCommitted();
    }
    r.leaderId.ifPresent(leader -> answer(leader, transfer, meta, snapshot.size(), true));
  }

  private void answer(String leader, long transfer, SnapshotMeta meta, long nextOffset, boolean installed) {
    r.sendAfterPersist(leader, new InstallSnapshotResponse(r.members.groupId(), r.term, r.members.self(), meta.index(),
        meta.term(), nextOffset, installed, transfer));
  }
}
