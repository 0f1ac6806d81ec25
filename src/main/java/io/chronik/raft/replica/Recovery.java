package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.StashBuffer;
import io.chronik.raft.core.FaultBackoff;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.NotLeader;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.Recover;
import io.chronik.raft.replica.StorageProtocol.Recovered;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import java.time.Duration;
import java.util.Optional;

/**
 * A replica's life with its storage, and the two behaviours that are not a Raft role:
 * {@code recovering} (waiting for the durable state, everything else stashed) and {@code halted}
 * (the environment failed — a journal write, the state machine's I/O — and the replica waits out
 * a backoff before it recovers from disk). Owns the storage actor of each incarnation and the
 * fault episode; the replica's state is restored by {@link Replica#restore} and dropped by
 * {@link Replica#stopServing}, which the replica alone writes.
 *
 * <p>Nothing the replica acknowledged is lost by a halt (persist before speak), and an entry
 * whose apply failed was never counted as applied, so it cannot answer differently from its
 * peers; the leader catches it up as usual.
 */
final class Recovery {
  private final Replica r;
  private final StashBuffer<Command> stash;
  private final StorageFactory storageFactory;
  /** Waits between recoveries while the environment keeps failing; which failures are logged. */
  private final FaultBackoff faultBackoff;
  private int storageIncarnation;
  private ActorRef<StorageCommand> storage;
  /** The last failure of the current fault episode, for status and health ("": none). */
  private String fault = "";
  /** While halted: the old storage has stopped, and the backoff has passed. */
  private boolean storageDown;
  private boolean backoffOver;
  /** What the storage said failed before it stopped, if it said (null: nothing yet). */
  private String storageFailure;

  Recovery(Replica replica, StashBuffer<Command> stash, StorageFactory storageFactory, FaultBackoff faultBackoff) {
    this.r = replica;
    this.stash = stash;
    this.storageFactory = storageFactory;
    this.faultBackoff = faultBackoff;
  }

  ActorRef<StorageCommand> storage() {
    return storage;
  }

  /** The last failure of the current fault episode ("": none). */
  String fault() {
    return fault;
  }

  /** The environment failed handling a message ({@code what}): halts, stopping the storage if it still runs. */
  Behavior<Command> haltOnFailure(String what) {
    return halt(what, storage != null && !storageDown);
  }

  /** Starts a storage incarnation and waits for what it recovers. */
  Behavior<Command> start() {
    storageFailure = null;
    storageDown = false;
    backoffOver = false;
    storageIncarnation++;
    storage = storageFactory.create(r.ctx, storageIncarnation);
    r.ctx.watchWith(storage, new Replica.StorageStopped(storageIncarnation));
    storage.tell(new Recover(r.ctx.getSelf()));
    return recovering();
  }

  /** Waits for the durable state; stashes everything else (storage replies come first). */
  private Behavior<Command> recovering() {
    return Behaviors.receive(Command.class)
        .onMessage(Recovered.class, this::onRecovered)
        .onMessage(Replica.StorageStopped.class, this::onStorageStopped)
        .onMessage(Replica.RestartStorage.class, m -> Behaviors.same())
        .onMessage(Persisted.class, m -> Behaviors.same())
        .onMessage(StorageProtocol.SnapshotSaved.class, m -> Behaviors.same())
        .onMessage(StorageProtocol.SnapshotChunkStored.class, m -> Behaviors.same())
        .onMessage(ReplicaControl.RecordFilesConfiguration.class, m -> Behaviors.same()) // offered again later
        .onAnyMessage(this::stashWhileRecovering)
        .build();
  }

  private Behavior<Command> stashWhileRecovering(Command msg) {
    if (stash.isFull()) {
      if (msg instanceof Propose p) p.replyTo().tell(new NotLeader(r.members.groupId(), Optional.empty()));
      if (msg instanceof ReplicaControl.ChangeConfig c) {
        c.replyTo().tell(new ReplicaControl.ConfigChangeNotLeader(r.members.groupId(), Optional.empty()));
      }
      if (msg instanceof ReadProtocol.Read rd) {
        rd.replyTo().tell(new ReadProtocol.RetryLater(r.members.groupId(), "replica is recovering", Optional.empty()));
      }
      r.log.warn("group {} replica {}: recovering and stash full, dropping {}", r.members.groupId(), r.members.self(),
          msg.getClass().getSimpleName());
    } else {
      stash.stash(msg);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onRecovered(Recovered recovered) {
    r.restore(recovered, storage);
    if (faultBackoff.failures() > 0) {
      r.timers.startSingleTimer(Replica.FAULT_QUIET_TIMER, Replica.FaultQuiet.INSTANCE, faultBackoff.quietPeriod());
    }
    return stash.unstashAll(r.becomeFollower(Optional.empty()));
  }

  /** Storage stopped: forget everything volatile and recover from what is durable. */
  Behavior<Command> onStorageStopped(Replica.StorageStopped s) {
    if (s.incarnation() != storageIncarnation) return Behaviors.same();
    String why = storageFailure != null ? storageFailure
        : "a journal write failed or was rejected; the storage's log line says why";
    storageFailure = null;
    return halt("its storage stopped (" + why + ")", false);
  }

  Behavior<Command> onStorageFailed(StorageProtocol.StorageFailed f) {
    storageFailure = f.cause();
    return Behaviors.same();
  }

  /**
   * The environment failed (a journal write, or the state machine's I/O): the replica stops
   * serving and — once its storage has stopped and the backoff has passed — recovers from its
   * snapshot and log on disk.
   */
  private Behavior<Command> halt(String what, boolean stopStorage) {
    Duration wait = faultBackoff.failed();
    int failures = faultBackoff.failures();
    fault = what + (failures > 1 ? " (failure " + failures + " in a row)" : "") + "; recovering from disk in " + humanly(wait);
    if (faultBackoff.worthLogging()) {
      r.log.error("group {} replica {}: {}", r.members.groupId(), r.members.self(), fault);
    } else {
      r.log.debug("group {} replica {}: {}", r.members.groupId(), r.members.self(), fault);
    }
    r.stopServing();
    r.timers.cancel(Replica.FAULT_QUIET_TIMER);
    storageDown = !stopStorage;
    backoffOver = false;
    if (stopStorage) {
      // Its own child in production; a storage it does not own (a test's probe) is not its to stop.
      if (r.ctx.getChild(storage.path().name()).isPresent()) {
        r.ctx.stop(storage);
      } else {
        storageDown = true;
      }
    }
    r.timers.startSingleTimer(Replica.STORAGE_RESTART_TIMER, Replica.RestartStorage.INSTANCE, wait);
    return halted();
  }

  /**
   * Waiting to recover: nothing is stashed (a disk may stay full for long), peers' messages are
   * dropped (the leader sends again), clients are told at once to retry (elsewhere).
   */
  private Behavior<Command> halted() {
    return Behaviors.receive(Command.class)
        .onMessage(Replica.RestartStorage.class, m -> {
          backoffOver = true;
          return storageDown ? start() : Behaviors.same();
        })
        .onMessage(Replica.StorageStopped.class, m -> {
          if (m.incarnation() == storageIncarnation) storageDown = true;
          return storageDown && backoffOver ? start() : Behaviors.same();
        })
        .onMessage(GetStatus.class, g -> {
          g.replyTo().tell(r.status(Status.FAULTED));
          return Behaviors.same();
        })
        .onMessage(Propose.class, r::rejectProposal)
        .onMessage(ReplicaControl.ChangeConfig.class, r::refuseChange)
        .onMessage(ReplicaControl.RecordFilesConfiguration.class, m -> Behaviors.same())
        .onMessage(ReadProtocol.Read.class, rd -> {
          rd.replyTo().tell(new ReadProtocol.RetryLater(r.members.groupId(), "replica " + r.members.self()
              + " is recovering from a disk failure; read from another replica", r.leaderId));
          return Behaviors.same();
        })
        .onMessage(ReplicaControl.Drain.class, d -> {
          r.startDraining();
          d.replyTo().tell(new ReplicaControl.DrainStatus(r.members.groupId(), false, false));
          return Behaviors.same();
        })
        .onMessage(ReadProtocol.GetReplicaMetrics.class, m -> {
          m.replyTo().tell(r.reads.snapshot());
          return Behaviors.same();
        })
        .onMessage(RaftMessage.class, m -> Replica.isLeaderWork(m) ? r.refuseLeaderWork(m) : Behaviors.same())
        .onAnyMessage(m -> Behaviors.same()) // the old storage's replies, the old role's timers, local queries
        .build();
  }

  /** The current fault episode is over: the replica ran its quiet period without failing again. */
  Behavior<Command> onFaultQuiet(Replica.FaultQuiet q) {
    r.log.info("group {} replica {}: serving again; no disk failure for {} after {} in a row", r.members.groupId(),
        r.members.self(), humanly(faultBackoff.quietPeriod()), faultBackoff.failures());
    faultBackoff.healthy();
    fault = "";
    return Behaviors.same();
  }

  /** The failure's message with its causes' where they add something ("cannot write X: No space left on device"). */
  static String describe(Throwable t) {
    String message = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getName() : t.getMessage();
    for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !message.contains(c.getMessage())) message += ": " + c.getMessage();
    }
    return message;
  }

  private static String humanly(Duration d) {
    return d.toMillis() < 1000 ? d.toMillis() + "ms" : String.format("%.1fs", d.toMillis() / 1000.0);
  }
}
