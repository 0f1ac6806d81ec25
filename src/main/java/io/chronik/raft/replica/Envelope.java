package io.chronik.raft.replica;

/** An outgoing peer message, handed to the transport that knows where replica {@code to} lives. */
public record Envelope(String to, RaftMessage message) {}
