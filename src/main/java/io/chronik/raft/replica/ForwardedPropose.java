package io.chronik.raft.replica;

import com.google.protobuf.ByteString;

/**
 * A follower hands a client's proposal to the leader it currently hears from (as etcd's followers
 * forward {@code MsgProp}). The leader answers with a {@link ForwardedProposeResult} to the
 * follower, which relays it to the client: so the follower knows which writes are in flight and
 * can end them when that leader goes away, instead of leaving the client to time out.
 */
public record ForwardedPropose(String groupId, long term, String from, long proposalId, ByteString command)
    implements RaftMessage {}
