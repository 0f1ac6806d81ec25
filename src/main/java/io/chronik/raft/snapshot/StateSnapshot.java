package io.chronik.raft.snapshot;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A state machine's state frozen at one applied index.
 * {@link io.chronik.raft.statemachine.StateMachine#snapshot()} creates it on the replica's actor;
 * {@link #writeTo} runs later on another thread while the replica goes on applying, so it must not
 * read the live state.
 */
@FunctionalInterface
public interface StateSnapshot {
  /**
   * Writes the frozen state; {@link io.chronik.raft.statemachine.StateMachine#restore} reads it
   * back. Streams, never one giant array.
   */
  void writeTo(OutputStream out) throws IOException;
}
