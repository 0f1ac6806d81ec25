package io.chronik.raft.persistence;

import akka.actor.typed.ActorRef;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.SignalHandler;

/**
 * A persistent counter: each {@link Add} persists the event "e(n+1)" and answers the new count n+1;
 * once recovered it reports its count, or -1 when the events it replayed were not exactly e1, e2,
 * ... in order (one lost, duplicated or reordered). A failed persist restarts it (with backoff),
 * and it recovers. The tests' and the benchmark's entity.
 */
public final class Counter extends EventSourcedBehavior<Counter.Command, String, Long> {
  public interface Command {}

  /** Persists the next event, then answers the count. */
  public record Add(ActorRef<Long> replyTo) implements Command {}

  public record Recovered(String persistenceId, long count) {}

  private final ActorRef<Recovered> recovered;

  public Counter(String persistenceId, ActorRef<Recovered> recovered) {
    super(PersistenceId.ofUniqueId(persistenceId),
        akka.actor.typed.SupervisorStrategy.restartWithBackoff(java.time.Duration.ofMillis(100),
            java.time.Duration.ofSeconds(1), 0.2));
    this.recovered = recovered;
  }

  @Override
  public Long emptyState() {
    return 0L;
  }

  @Override
  public CommandHandler<Command, String, Long> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Add.class, (count, add) -> Effect().persist("e" + (count + 1)).thenReply(add.replyTo(), c -> c))
        .build();
  }

  @Override
  public EventHandler<Long, String> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onAnyEvent((count, event) -> count >= 0 && event.equals("e" + (count + 1)) ? count + 1 : -1L);
  }

  /** Every event is tagged {@value #TAG}, for eventsByTag. */
  public static final String TAG = "counter";

  @Override
  public java.util.Set<String> tagsFor(String event) {
    return java.util.Set.of(TAG);
  }

  @Override
  public SignalHandler<Long> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), count -> recovered.tell(new Recovered(persistenceId().id(), count)))
        .build();
  }
}
