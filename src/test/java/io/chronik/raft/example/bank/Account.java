package io.chronik.raft.example.bank;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A bank account, a cluster-sharded event-sourced entity whose events chronik keeps: a deposit
 * persists {@link Deposited} (tagged {@value #TAG}) and is acknowledged once chronik has it on a
 * majority of disks. Its state is the deposits in order, so a check can name any that is missing.
 */
public final class Account extends EventSourcedBehavior<Account.Command, Account.Deposited, Account.State> {
  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "Account");
  public static final String TAG = "account";

  public interface Command {}

  /** Deposits {@code amount} under the unique {@code depositId}; answers the new balance. */
  public record Deposit(String depositId, long amount, ActorRef<Long> replyTo) implements Command {}

  /** Answers every deposit id, in the order they were persisted. */
  public record GetHistory(ActorRef<History> replyTo) implements Command {}

  public record History(String accountId, List<String> depositIds, long balance) {}

  public record Deposited(String depositId, long amount) {}

  public record State(List<String> depositIds, long balance) {}

  private final String accountId;

  private Account(String accountId) {
    super(PersistenceId.of(KEY.name(), accountId),
        akka.actor.typed.SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(2), 0.2));
    this.accountId = accountId;
  }

  public static Behavior<Command> create(String accountId) {
    return new Account(accountId);
  }

  @Override
  public State emptyState() {
    return new State(List.of(), 0);
  }

  @Override
  public CommandHandler<Command, Deposited, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Deposit.class, (state, d) -> Effect().persist(new Deposited(d.depositId(), d.amount()))
            .thenReply(d.replyTo(), State::balance))
        .onCommand(GetHistory.class, (state, g) -> Effect().reply(g.replyTo(),
            new History(accountId, state.depositIds(), state.balance())))
        .build();
  }

  @Override
  public EventHandler<State, Deposited> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, e) -> {
      List<String> ids = new ArrayList<>(state.depositIds());
      ids.add(e.depositId());
      return new State(ids, state.balance() + e.amount());
    });
  }

  @Override
  public Set<String> tagsFor(Deposited event) {
    return Set.of(TAG);
  }
}
