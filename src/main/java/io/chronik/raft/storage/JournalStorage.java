package io.chronik.raft.storage;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.JournalProtocol;
import akka.persistence.Persistence;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.SignalHandler;
import com.typesafe.config.Config;
import io.chronik.raft.replica.Command;
import io.chronik.raft.replica.StorageFactory;
import io.chronik.raft.replica.StorageProtocol.CompleteSnapshot;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.Recover;
import io.chronik.raft.replica.StorageProtocol.Recovered;
import io.chronik.raft.replica.StorageProtocol.SaveSnapshot;
import io.chronik.raft.replica.StorageProtocol.SnapshotSaved;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.replica.StorageProtocol.StoreSnapshotChunk;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.snapshot.FileSnapshotStore;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.storage.proto.StorageWrite;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/**
 * A replica's durable term, vote and log on akka-persistence: one journal event per
 * {@link Persist}, so a write is atomic, and {@link Persisted} is sent only after the journal
 * confirmed it. Suffix truncation is an event of its own (the journal can only delete prefixes).
 *
 * <p>Snapshots are files ({@link FileSnapshotStore}) beside the journal. Recovery reads the
 * latest snapshot, then replays the events and keeps only the entries after it. Once a snapshot
 * is durable, the events whose entries it covers are deleted from the journal
 * ({@code DeleteMessagesTo}); the hard state is written again first if its latest event is among
 * them. Snapshots are written on the blocking-I/O dispatcher, so log writes go on meanwhile.
 *
 * <p>It never replies to a write it could not persist: a failed or rejected write stops this
 * actor (akka-persistence's rule), the replica sees it stop and recovers from the journal.
 */
public final class JournalStorage
    extends EventSourcedBehavior<StorageCommand, StorageWrite, JournalStorage.State> {

  /** The durable state as rebuilt from the journal, and what deleting covered events needs. */
  static final class State {
    /** Hard state and the entries after the snapshot, as replayed (entries only until handed over). */
    final RecoveredLog log;
    HardState hardState = HardState.getDefaultInstance();
    final Optional<SnapshotData> snapshot;
    boolean handedOver;
    /** For events written since recovery (and one for all recovered events): sequence number, highest entry index. */
    final ArrayDeque<long[]> events = new ArrayDeque<>();
    /** Sequence number of the latest event carrying the hard state. */
    long hardStateSeq;
    /** Sequence number up to which events were deleted (or are being deleted). */
    long deletedTo;

    State(Optional<SnapshotData> snapshot) {
      this.snapshot = snapshot;
      this.log = new RecoveredLog(snapshot.map(d -> d.meta().index()).orElse(0L));
    }

    void apply(StorageWrite w) {
      if (w.hasHardState()) hardState = w.getHardState();
      if (!handedOver) log.apply(w);
    }
  }

  /** A snapshot write on the blocking dispatcher ended (private). */
  private record SnapshotWritten(SnapshotData snapshot, Throwable failure, ActorRef<Command> replyTo)
      implements StorageCommand {}

  private final ActorContext<StorageCommand> ctx;
  private final String journalPluginId;
  private final SnapshotSide snapshots;

  private JournalStorage(ActorContext<StorageCommand> ctx, PersistenceId id, String journalPluginId, Path snapshotDir) {
    super(id);
    this.ctx = ctx;
    this.journalPluginId = journalPluginId;
    this.snapshots = new SnapshotSide(snapshotDir);
  }

  public static Behavior<StorageCommand> create(String persistenceId, String journalPluginId, Path snapshotDir) {
    return Behaviors.setup(ctx ->
        new JournalStorage(ctx, PersistenceId.ofUniqueId(persistenceId), journalPluginId, snapshotDir));
  }

  /** A {@link StorageFactory} for replica {@code persistenceId} on the given journal plugin. */
  public static StorageFactory factory(String persistenceId, String journalPluginId, Path snapshotDir) {
    LevelDbForcedWrites.ensure();
    return (ctx, incarnation) ->
        ctx.spawn(create(persistenceId, journalPluginId, snapshotDir), "storage-" + incarnation);
  }

  /**
   * The storage of replica {@code node} of {@code group} as the configuration says: the journal
   * {@code chronik.raft.journal-plugin-id}, snapshots under {@code <chronik.data-dir>/snapshots}.
   */
  public static StorageFactory factory(Config config, String node, String group) {
    return factory(node + "/" + group, config.getString("chronik.raft.journal-plugin-id"),
        snapshotDir(config, node, group));
  }

  public static Path snapshotDir(Config config, String node, String group) {
    return Path.of(config.getString("chronik.data-dir")).resolve("snapshots").resolve(node).resolve(group);
  }

  @Override
  public String journalPluginId() {
    return journalPluginId;
  }

  /** Snapshots are chronik's own files, not akka-persistence snapshots. */
  @Override
  public String snapshotPluginId() {
    return "akka.persistence.no-snapshot-store";
  }

  @Override
  public State emptyState() {
    return new State(snapshots.latest());
  }

  @Override
  public CommandHandler<StorageCommand, StorageWrite, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Recover.class, this::onRecover)
        .onCommand(Persist.class, this::onPersist)
        .onCommand(SaveSnapshot.class, this::onSaveSnapshot)
        .onCommand(SnapshotWritten.class, this::onSnapshotWritten)
        .onCommand(StoreSnapshotChunk.class, this::onChunk)
        .onCommand(CompleteSnapshot.class, this::onComplete)
        .onCommand(io.chronik.raft.replica.StorageProtocol.DiscardSnapshot.class, (state, d) -> {
          snapshots.discard(d, ctx.getLog());
          return Effect().none();
        })
        .build();
  }

  private Effect<StorageWrite, State> onRecover(State state, Recover r) {
    r.replyTo().tell(new Recovered(state.hardState, state.snapshot, List.copyOf(state.log.entries)));
    state.handedOver = true;
    state.log.entries.clear();
    return Effect().none();
  }

  private Effect<StorageWrite, State> onPersist(State state, Persist p) {
    StorageWrite.Builder w = StorageWrite.newBuilder()
        .setTruncateFrom(p.truncateFrom())
        .addAllEntries(p.entries());
    p.hardState().ifPresent(w::setHardState);
    long highest = p.entries().isEmpty() ? 0 : p.entries().get(p.entries().size() - 1).getIndex();
    return Effect().persist(w.build()).thenRun(s -> {
      long seq = lastSequenceNumber(ctx);
      s.events.addLast(new long[] {seq, highest});
      if (p.hardState().isPresent()) s.hardStateSeq = seq;
      p.replyTo().tell(new Persisted(p.writeId()));
    });
  }

  private Effect<StorageWrite, State> onSaveSnapshot(State state, SaveSnapshot save) {
    ctx.pipeToSelf(snapshots.write(save, ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking())),
        (data, failure) -> new SnapshotWritten(data, failure, save.replyTo()));
    return Effect().none();
  }

  private Effect<StorageWrite, State> onSnapshotWritten(State state, SnapshotWritten w) {
    if (w.failure() != null) {
      snapshots.failed("writing a snapshot", w.failure(), w.replyTo(), ctx.getLog());
      return Effect().stop();
    }
    w.replyTo().tell(new SnapshotSaved(w.snapshot(), false));
    return deleteCovered(state, w.snapshot().meta().index());
  }

  private Effect<StorageWrite, State> onChunk(State state, StoreSnapshotChunk c) {
    try {
      snapshots.store(c);
      return Effect().none();
    } catch (IOException e) {
      snapshots.failed("storing a snapshot chunk", e, c.replyTo(), ctx.getLog());
      return Effect().stop();
    }
  }

  private Effect<StorageWrite, State> onComplete(State state, CompleteSnapshot c) {
    Optional<SnapshotData> done;
    try {
      done = snapshots.complete(c);
    } catch (IOException e) {
      snapshots.failed("completing a received snapshot", e, c.replyTo(), ctx.getLog());
      return Effect().stop();
    }
    return done.isEmpty() ? Effect().none() : deleteCovered(state, c.meta().index());
  }

  /**
   * Deletes the journal events whose entries are all at or below {@code index} (a durable
   * snapshot covers them). The hard state must outlive them: if its latest event is among them,
   * it is written again first.
   */
  private Effect<StorageWrite, State> deleteCovered(State state, long index) {
    long upTo = 0;
    while (!state.events.isEmpty() && state.events.peekFirst()[1] <= index) upTo = state.events.pollFirst()[0];
    if (upTo <= state.deletedTo) return Effect().none();
    long deleteTo = upTo;
    state.deletedTo = deleteTo;
    if (state.hardStateSeq > deleteTo) {
      sendDelete(deleteTo);
      return Effect().none();
    }
    StorageWrite rewrite = StorageWrite.newBuilder().setHardState(state.hardState).build();
    return Effect().persist(rewrite).thenRun(s -> {
      s.hardStateSeq = lastSequenceNumber(ctx);
      sendDelete(deleteTo);
    });
  }

  private void sendDelete(long toSequenceNr) {
    akka.actor.ActorRef journal = Persistence.get(Adapter.toClassic(ctx.getSystem())).journalFor(journalPluginId, com.typesafe.config.ConfigFactory.empty());
    journal.tell(new JournalProtocol.DeleteMessagesTo(persistenceId().id(), toSequenceNr, ignoreReplies()),
        akka.actor.ActorRef.noSender());
  }

  private akka.actor.ActorRef ignoreReplies;

  /** The journal answers deletions; a failed one is retried with the next snapshot, so answers are not needed. */
  private akka.actor.ActorRef ignoreReplies() {
    if (ignoreReplies == null) ignoreReplies = Adapter.toClassic(ctx.spawnAnonymous(Behaviors.ignore()));
    return ignoreReplies;
  }

  @Override
  public EventHandler<State, StorageWrite> eventHandler() {
    return (state, event) -> {
      state.apply(event);
      return state;
    };
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          long seq = lastSequenceNumber(ctx);
          // Every event replayed: they hold entries up to the last recovered one at most.
          state.events.addLast(new long[] {seq, state.log.lastIndex()});
          state.hardStateSeq = seq;
          ctx.getLog().debug("{} recovered term={} snapshot={} entries={}", persistenceId(),
              state.hardState.getTerm(), state.log.snapshotIndex, state.log.entries.size());
        })
        .build();
  }
}
