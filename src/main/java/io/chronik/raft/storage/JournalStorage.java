package io.chronik.raft.storage;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.SignalHandler;
import io.chronik.raft.replica.StorageFactory;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.Recover;
import io.chronik.raft.replica.StorageProtocol.Recovered;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.storage.proto.StorageWrite;
import java.util.ArrayList;
import java.util.List;

/**
 * A replica's durable term, vote and log on akka-persistence: one journal event per
 * {@link Persist}, so a write is atomic, and {@link Persisted} is sent only after the journal
 * confirmed it. Suffix truncation is an event of its own (the journal can only delete prefixes).
 *
 * <p>It never replies to a write it could not persist: a failed or rejected write stops this
 * actor (akka-persistence's rule), the replica sees it stop and recovers from the journal.
 *
 * <p>The replica sends at most one write at a time and coalesces what arrives meanwhile, so the
 * command stash of this behaviour never holds more than one write.
 */
public final class JournalStorage
    extends EventSourcedBehavior<StorageCommand, StorageWrite, JournalStorage.State> {

  /**
   * The durable state as rebuilt from the journal. After it is handed to the replica it is no
   * longer kept (the replica holds the log), so the events that follow are not applied here.
   */
  static final class State {
    HardState hardState = HardState.getDefaultInstance();
    List<LogEntry> entries = new ArrayList<>();
    boolean handedOver;

    void apply(StorageWrite w) {
      if (handedOver) return;
      if (w.hasHardState()) hardState = w.getHardState();
      if (w.getTruncateFrom() > 0) {
        int keep = (int) Math.min(entries.size(), w.getTruncateFrom() - 1);
        entries.subList(keep, entries.size()).clear();
      }
      for (LogEntry e : w.getEntriesList()) {
        if (e.getIndex() != entries.size() + 1) {
          throw new IllegalStateException("journal holds a log gap: entry " + e.getIndex()
              + " after " + entries.size());
        }
        entries.add(e);
      }
    }
  }

  private final ActorContext<StorageCommand> ctx;
  private final String journalPluginId;

  private JournalStorage(ActorContext<StorageCommand> ctx, PersistenceId id, String journalPluginId) {
    super(id);
    this.ctx = ctx;
    this.journalPluginId = journalPluginId;
  }

  public static Behavior<StorageCommand> create(String persistenceId, String journalPluginId) {
    return Behaviors.setup(ctx -> new JournalStorage(ctx, PersistenceId.ofUniqueId(persistenceId), journalPluginId));
  }

  /** A {@link StorageFactory} for replica {@code persistenceId} on the given journal plugin. */
  public static StorageFactory factory(String persistenceId, String journalPluginId) {
    LevelDbForcedWrites.ensure();
    return (ctx, incarnation) -> ctx.spawn(create(persistenceId, journalPluginId), "storage-" + incarnation);
  }

  @Override
  public String journalPluginId() {
    return journalPluginId;
  }

  /** Snapshots are not used yet (log compaction comes later); say so instead of relying on a default. */
  @Override
  public String snapshotPluginId() {
    return "akka.persistence.no-snapshot-store";
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public CommandHandler<StorageCommand, StorageWrite, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Recover.class, this::onRecover)
        .onCommand(Persist.class, this::onPersist)
        .build();
  }

  private Effect<StorageWrite, State> onRecover(State state, Recover r) {
    r.replyTo().tell(new Recovered(state.hardState, List.copyOf(state.entries)));
    state.handedOver = true;
    state.entries = List.of();
    return Effect().none();
  }

  private Effect<StorageWrite, State> onPersist(State state, Persist p) {
    StorageWrite.Builder w = StorageWrite.newBuilder()
        .setTruncateFrom(p.truncateFrom())
        .addAllEntries(p.entries());
    p.hardState().ifPresent(w::setHardState);
    return Effect().persist(w.build()).thenRun(s -> p.replyTo().tell(new Persisted(p.writeId())));
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
        .onSignal(RecoveryCompleted.instance(), state ->
            ctx.getLog().debug("{} recovered term={} entries={}", persistenceId(), state.hardState.getTerm(),
                state.entries.size()))
        .build();
  }
}
