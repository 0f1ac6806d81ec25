package io.chronik.raft.persistence;

import akka.actor.typed.ActorRef;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.SignalHandler;

/**
 * A persistent counter: each {@link Add} persists one event and answers the count; it reports
 * its count once recovered. The tests' and the benchmark's entity.
 */
final class Counter extends EventSourcedBehavior<Counter.Command, String, Long> {
  interface Command {}

  /** Persists {@code event}, then answers the count. */
  record Add(String event, ActorRef<Long> replyTo) implements Command {}

  record Recovered(String persistenceId, long count) {}

  private final ActorRef<Recovered> recovered;

  Counter(String persistenceId, ActorRef<Recovered> recovered) {
    super(PersistenceId.ofUniqueId(persistenceId));
    this.recovered = recovered;
  }

  @Override
  public Long emptyState() {
    return 0L;
  }

  @Override
  public CommandHandler<Command, String, Long> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Add.class, (count, add) -> Effect().persist(add.event()).thenReply(add.replyTo(), c -> c))
        .build();
  }

  @Override
  public EventHandler<Long, String> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((count, event) -> count + 1);
  }

  @Override
  public SignalHandler<Long> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), count -> recovered.tell(new Recovered(persistenceId().id(), count)))
        .build();
  }
}
