package io.chronik.raft.replica;

import com.google.protobuf.ByteString;

/** Policy {@code none}: a follower hands a read to the leader, which serves it after ReadIndex. */
public record ForwardedRead(String groupId, long term, String from, long readId, ByteString query, long minIndex)
    implements RaftMessage {}
