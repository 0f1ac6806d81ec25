package io.chronik.raft.cluster;

import akka.serialization.SerializerWithStringManifest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.replica.AppendEntries;
import io.chronik.raft.replica.AppendEntriesResponse;
import io.chronik.raft.replica.ForwardedRead;
import io.chronik.raft.replica.ForwardedReadResult;
import io.chronik.raft.replica.RaftMessage;
import io.chronik.raft.replica.ReadIndexRequest;
import io.chronik.raft.replica.ReadIndexResponse;
import io.chronik.raft.replica.RequestVote;
import io.chronik.raft.replica.RequestVoteResponse;
import java.io.NotSerializableException;

/**
 * Wire form of the replica-to-replica messages between cluster nodes: the protobuf classes
 * generated from {@code proto/raft_rpc.proto}, one manifest per message. Bytes that do not parse
 * raise {@link NotSerializableException}, on which Akka drops the message and logs it: a
 * malformed peer message never reaches a replica.
 */
public final class RaftMessageSerializer extends SerializerWithStringManifest {
  /** Registered in reference.conf; unique among the serializers of an ActorSystem. */
  public static final int IDENTIFIER = 731_001;

  private static final String REQUEST_VOTE = "RV";
  private static final String REQUEST_VOTE_RESPONSE = "RVR";
  private static final String APPEND_ENTRIES = "AE";
  private static final String APPEND_ENTRIES_RESPONSE = "AER";
  private static final String READ_INDEX_REQUEST = "RIQ";
  private static final String READ_INDEX_RESPONSE = "RIR";
  private static final String FORWARDED_READ = "FR";
  private static final String FORWARDED_READ_RESULT = "FRR";

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof RequestVote) return REQUEST_VOTE;
    if (o instanceof RequestVoteResponse) return REQUEST_VOTE_RESPONSE;
    if (o instanceof AppendEntries) return APPEND_ENTRIES;
    if (o instanceof AppendEntriesResponse) return APPEND_ENTRIES_RESPONSE;
    if (o instanceof ReadIndexRequest) return READ_INDEX_REQUEST;
    if (o instanceof ReadIndexResponse) return READ_INDEX_RESPONSE;
    if (o instanceof ForwardedRead) return FORWARDED_READ;
    if (o instanceof ForwardedReadResult) return FORWARDED_READ_RESULT;
    throw new IllegalArgumentException("not a chronik replica message: " + o.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    return RaftWireFormat.toProto((RaftMessage) o).toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try {
      return switch (manifest) {
        case REQUEST_VOTE -> RaftWireFormat.fromProto(io.chronik.raft.rpc.RequestVote.parseFrom(bytes));
        case REQUEST_VOTE_RESPONSE -> RaftWireFormat.fromProto(io.chronik.raft.rpc.RequestVoteResponse.parseFrom(bytes));
        case APPEND_ENTRIES -> RaftWireFormat.fromProto(io.chronik.raft.rpc.AppendEntries.parseFrom(bytes));
        case APPEND_ENTRIES_RESPONSE ->
            RaftWireFormat.fromProto(io.chronik.raft.rpc.AppendEntriesResponse.parseFrom(bytes));
        case READ_INDEX_REQUEST -> RaftWireFormat.fromProto(io.chronik.raft.rpc.ReadIndexRequest.parseFrom(bytes));
        case READ_INDEX_RESPONSE -> RaftWireFormat.fromProto(io.chronik.raft.rpc.ReadIndexResponse.parseFrom(bytes));
        case FORWARDED_READ -> RaftWireFormat.fromProto(io.chronik.raft.rpc.ForwardedRead.parseFrom(bytes));
        case FORWARDED_READ_RESULT ->
            RaftWireFormat.fromProto(io.chronik.raft.rpc.ForwardedReadResult.parseFrom(bytes));
        default -> throw new NotSerializableException("unknown chronik replica message manifest '" + manifest
            + "' (a node of a newer version?)");
      };
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new NotSerializableException("malformed chronik replica message (" + manifest + "): " + e.getMessage());
    }
  }
}
