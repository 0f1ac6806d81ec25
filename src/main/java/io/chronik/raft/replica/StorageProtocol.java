package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;
import com.google.protobuf.ByteString;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotMeta;
import io.chronik.raft.snapshot.SnapshotReceiver;
import io.chronik.raft.snapshot.StateSnapshot;
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
   * A chunk of a snapshot the leader sends (InstallSnapshot), in the replica's transfer
   * {@code transfer} (an id it picks per transfer; chunks of one transfer come from one leader and
   * are bytes of one snapshot). Stored if it is the next one of that transfer; a chunk at offset 0
   * of another transfer discards the partial one and starts over; any other chunk is not stored.
   * Answered with {@link SnapshotChunkStored}, which names the offset expected next (0: start over).
   */
  public record StoreSnapshotChunk(long transfer, SnapshotMeta meta, long offset, ByteString bytes,
      ActorRef<Command> replyTo) implements StorageCommand {}

  /**
   * Every one of the {@code size} bytes of transfer {@code transfer} is stored: if their CRC32C is
   * {@code checksum} (or that is {@link SnapshotReceiver#NO_CHECKSUM}),
   * make them this replica's snapshot, durably, and drop the log entries it covers. Answered with
   * {@link SnapshotSaved} ({@code received}); or with {@link SnapshotChunkStored} when chunks are
   * missing, or when the checksum does not match (the bytes are discarded then).
   */
  public record CompleteSnapshot(long transfer, SnapshotMeta meta, long size, long checksum,
      ActorRef<Command> replyTo) implements StorageCommand {
    /** The answer for what the storage's receiver did. */
    public Command answer(SnapshotReceiver.Completion done) {
      return done.snapshot().<Command>map(d -> new SnapshotSaved(d, true))
          .orElseGet(() -> new SnapshotChunkStored(transfer, meta, done.next(), done.checksumMismatch()));
    }
  }

  /**
   * Transfer {@code transfer} will not complete (its leader stopped sending it): drop what was
   * received of it and delete its partial file. Not answered; nothing if another transfer is
   * being received.
   */
  public record DiscardSnapshot(long transfer) implements StorageCommand {}

  /** The durable state: the latest snapshot (if any) and the log entries after it. */
  public record Recovered(HardState hardState, Optional<SnapshotData> snapshot, List<LogEntry> entries)
      implements Command {
    public Recovered(HardState hardState, List<LogEntry> entries) {
      this(hardState, Optional.empty(), entries);
    }
  }

  public record Persisted(long writeId) implements Command {}

  /**
   * Storage → replica, just before storage stops because a write failed: what failed (the file and
   * the cause, e.g. "No space left on device"), for the replica's one log line per fault episode
   * and its status. The replica recovers when it sees storage stop, whether or not this came.
   */
  public record StorageFailed(String cause) implements Command {}

  /** {@code snapshot} is durable; {@code received}: it came from a leader, not from this replica's state. */
  public record SnapshotSaved(SnapshotData snapshot, boolean received) implements Command {}

  /**
   * Transfer {@code transfer} expects the chunk at {@code nextOffset} next (0: start over);
   * {@code checksumMismatch}: its bytes were complete but not the leader's, and were discarded.
   */
  public record SnapshotChunkStored(long transfer, SnapshotMeta meta, long nextOffset, boolean checksumMismatch)
      implements Command {
    public SnapshotChunkStored(long transfer, SnapshotMeta meta, long nextOffset) {
      this(transfer, meta, nextOffset, false);
    }
  }
}
