package io.chronik.raft.statemachine;

import com.google.protobuf.ByteString;
import io.chronik.raft.snapshot.StateSnapshot;
import java.io.IOException;
import java.io.InputStream;

/**
 * A replicated state machine: every replica applies the same committed commands in the same
 * order, so {@link #apply} must be deterministic (no clocks or randomness) and give every replica
 * the same result.
 *
 * <p><b>Two kinds of failure, two channels.</b>
 * <ul>
 *   <li>A <em>command's</em> error (it does not parse, a compare-and-set does not match, a
 *       sequence number is out of order) is deterministic: every replica sees the same command and
 *       must reach the same answer. Encode it in the result; never throw for it.
 *   <li>An <em>environment's</em> failure (the disk is full, a write or fsync fails with EIO) is
 *       local to one replica: its peers apply the same command fine. Throw (for I/O, an
 *       {@link java.io.UncheckedIOException} naming the file and the cause). The replica then does
 *       <em>not</em> count the entry as applied: it stops, and after a backoff rebuilds this state
 *       machine from its latest snapshot ({@link #restore}) and the log after it, and applies the
 *       entry again. So an apply that throws may leave its state half-changed only in ways that
 *       {@link #restore} of an earlier snapshot undoes (a record log's checkpoint truncates its
 *       files to the checkpoint's sizes, cutting a partial append back).
 * </ul>
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
  /**
   * Applies the committed command at log {@code index} and returns its result (a command's error
   * included). Throws only when this replica's environment failed (see the class comment).
   */
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
