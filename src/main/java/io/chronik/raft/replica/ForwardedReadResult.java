package io.chronik.raft.replica;

import com.google.protobuf.ByteString;

/** The leader's answer to a {@link ForwardedRead}; {@code ok} false when it could not serve it. */
public record ForwardedReadResult(String groupId, long term, String from, long readId, boolean ok, ByteString result,
    long appliedIndex) implements RaftMessage {}
