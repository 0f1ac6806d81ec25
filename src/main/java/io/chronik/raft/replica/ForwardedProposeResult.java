package io.chronik.raft.replica;

import com.google.protobuf.ByteString;

/**
 * The leader's answer to a {@link ForwardedPropose}: committed at {@code index} with
 * {@code result}; or {@link Outcome#NOT_LEADER} (never entered the log: safe to retry);
 * {@link Outcome#REJECTED} (refused before the log, with {@code reason}); {@link Outcome#UNKNOWN}
 * (entered the log, leadership was lost before it was known to commit).
 */
public record ForwardedProposeResult(String groupId, long term, String from, long proposalId, Outcome outcome,
    long index, ByteString result, String reason) implements RaftMessage {

  public enum Outcome { COMMITTED, NOT_LEADER, REJECTED, UNKNOWN }
}
