package io.chronik.raft.replica;

/**
 * An outgoing peer message, handed to the transport that knows where replica {@code to} (a member
 * id: {@code node} or {@code node/replica}) lives. {@code toStore}: the store the sender's
 * configuration names for {@code to}, which the receiving node checks; empty when not checked (the
 * configuration came from the files, or {@code to} is not in it).
 */
public record Envelope(String to, String toStore, RaftMessage message) {
  public Envelope(String to, RaftMessage message) {
    this(to, "", message);
  }
}
