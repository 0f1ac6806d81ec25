package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;
import com.google.protobuf.ByteString;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotMeta;
import io.chronik.raft.statemachine.StateSnapshot;
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

  /**
   * Writes {@code state} as snapshot {@code meta} durably, answered with {@link SnapshotSaved};
   * after that the storage drops the log entries up to {@code meta.index()} (they are ignored
   * from then on, also when a later write still carries some). Writing a large snapshot must not
   * hold up {@link Persist}s meanwhile.
   */
  public record SaveSnapshot(SnapshotMeta meta, StateSnapshot state, ActorRef<Command> replyTo)
      implements StorageCommand {}

  /**
   * A chunk of a snapshot the leader sends (InstallSnapshot). Stored if it is the next one of the
   * snapshot being received; a chunk at offset 0 of another snapshot starts over. Answered with
   * {@link SnapshotChunkStored}, which names the offset expected next.
   */
  public record StoreSnapshotChunk(SnapshotMeta meta, long offset, ByteString bytes, ActorRef<Command> replyTo)
      implements StorageCommand {}

  /**
   * Every one of the {@code size} bytes of {@code meta} is stored: make it this replica's
   * snapshot, durably, and drop the log entries it covers. Answered with {@link SnapshotSaved}
   * ({@code received}), or with {@link SnapshotChunkStored} when chunks are missing.
   */
  public record CompleteSnapshot(SnapshotMeta meta, long size, ActorRef<Command> replyTo) implements StorageCommand {}

  /** The durable state: the latest snapshot (if any) and the log entries after it. */
  public record Recovered(HardState hardState, Optional<SnapshotData> snapshot, List<LogEntry> entries)
      implements Command {
    public Recovered(HardState hardState, List<LogEntry> entries) {
      this(hardState, Optional.empty(), entries);
    }
  }

  public record Persisted(long writeId) implements Command {}

  /** {@code snapshot} is durable; {@code received}: it came from a leader, not from this replica's state. */
  public record SnapshotSaved(SnapshotData snapshot, boolean received) implements Command {}

  /** The snapshot being received expects the chunk at {@code nextOffset} next. */
  public record SnapshotChunkStored(SnapshotMeta meta, long nextOffset) implements Command {}
}
