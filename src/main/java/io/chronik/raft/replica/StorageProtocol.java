package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import java.util.List;
import java.util.Optional;

/**
 * The protocol between a replica and its storage actor. The replica acts on a write only once
 * {@link Persisted} comes back; the storage actor must process writes in order and, when it
 * cannot persist one, stop (the replica watches it and recovers from what is durable).
 */
public final class StorageProtocol {
  private StorageProtocol() {}

  public interface StorageCommand {}

  /** Asks for the durable state; answered with {@link Recovered}. */
  public record Recover(ActorRef<Command> replyTo) implements StorageCommand {}

  /**
   * One atomic write: set the hard state (if present), delete every entry at {@code truncateFrom}
   * and after (if {@code truncateFrom > 0}), then append {@code entries}.
   */
  public record Persist(
      long writeId,
      Optional<HardState> hardState,
      long truncateFrom,
      List<LogEntry> entries,
      ActorRef<Command> replyTo)
      implements StorageCommand {
    public Persist {
      entries = List.copyOf(entries);
    }
  }

  public record Recovered(HardState hardState, List<LogEntry> entries) implements Command {}

  public record Persisted(long writeId) implements Command {}
}
