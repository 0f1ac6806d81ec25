package io.chronik.raft.statemachine;

import com.google.protobuf.ByteString;

/**
 * A replicated state machine: every replica applies the same committed commands in the same
 * order, so {@link #apply} must be deterministic (no clocks, randomness or I/O) and must not
 * throw for bad input: encode the error in the result instead, because every replica will see
 * the same bad command.
 *
 * <p>A replica owns its state machine and calls it from its actor only; no locking is needed.
 */
public interface StateMachine {
  /** Applies the committed command at log {@code index} and returns its result. */
  ByteString apply(long index, ByteString command);

  /** Answers a read-only query against the applied state. */
  ByteString query(ByteString query);
}
