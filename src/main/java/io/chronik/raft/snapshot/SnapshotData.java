package io.chronik.raft.snapshot;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;

/**
 * A durable snapshot a replica holds: what it restores from, and what a leader streams to a
 * follower in chunks (InstallSnapshot). Its bytes are the state machine's
 * {@link StateSnapshot}; they never change once written.
 */
public interface SnapshotData {
  SnapshotMeta meta();

  /** Length of the state bytes. */
  long size();

  /** Up to {@code maxBytes} of the state bytes from {@code offset} (empty at the end). */
  ByteString read(long offset, int maxBytes) throws IOException;

  /** The state bytes from the start, for {@link io.chronik.raft.statemachine.StateMachine#restore}. */
  InputStream open() throws IOException;
}
