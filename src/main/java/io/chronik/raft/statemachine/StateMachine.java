package io.chronik.raft.statemachine;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;

/**
 * A replicated state machine: every replica applies the same committed commands in the same
 * order, so {@link #apply} must be deterministic (no clocks, randomness or I/O) and must not
 * throw for bad input: encode the error in the result instead, because every replica will see
 * the same bad command.
 *
 * <p>A replica owns its state machine and calls it from its actor only; no locking is needed.
 * The one exception is the {@link StateSnapshot} it hands out, which is written on another thread.
 *
 * <p>Snapshots bound a replica's log (Raft §7): now and then the replica freezes the state with
 * {@link #snapshot()}, stores it durably and drops the log entries it covers. A replica that
 * restarts, or a follower too far behind for the leader's log, starts from a snapshot through
 * {@link #restore} and applies the entries after it.
 */
public interface StateMachine {
  /** Applies the committed command at log {@code index} and returns its result. */
  ByteString apply(long index, ByteString command);

  /** Answers a read-only query against the applied state. */
  ByteString query(ByteString query);

  /**
   * Freezes the state as of the last applied command. Called on the replica's actor, so it must
   * be quick (a shallow copy, or a reference to immutable data); the expensive part, writing,
   * is {@link StateSnapshot#writeTo}, which runs elsewhere.
   */
  StateSnapshot snapshot();

  /**
   * Replaces the whole state with a snapshot's bytes (as written by {@link StateSnapshot#writeTo}).
   * Called on a fresh instance. Throws {@link IOException} for bytes that are not such a snapshot.
   */
  void restore(InputStream in) throws IOException;

  /**
   * What a leader streams to a follower that needs the stored snapshot {@code stored}
   * (InstallSnapshot). By default the stored bytes themselves; a machine whose snapshots refer to
   * files it keeps on this node (a record log's checkpoint) returns a self-contained copy that
   * {@link #restore} reads on another node. Called on the replica's actor; the result is read
   * there too, chunk by chunk, and closed (when {@link java.io.Closeable}) once a newer snapshot
   * replaces it.
   */
  default io.chronik.raft.snapshot.SnapshotData transferable(io.chronik.raft.snapshot.SnapshotData stored)
      throws IOException {
    return stored;
  }

  /** Releases files and other resources: the replica stops, or replaces this instance with a restored one. */
  default void close() {}

  /** A few numbers an operator sees in {@code status} (a record log: its start offset and high watermark). */
  default java.util.Map<String, Long> describe() {
    return java.util.Map.of();
  }
}
