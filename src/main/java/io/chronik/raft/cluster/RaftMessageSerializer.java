package io.chronik.raft.cluster;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.serialization.SerializerWithStringManifest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.replica.AppendEntries;
import io.chronik.raft.replica.AppendEntriesResponse;
import io.chronik.raft.replica.ForwardedPropose;
import io.chronik.raft.replica.ForwardedProposeResult;
import io.chronik.raft.replica.ForwardedRead;
import io.chronik.raft.replica.ForwardedReadResult;
import io.chronik.raft.replica.InstallSnapshot;
import io.chronik.raft.replica.InstallSnapshotResponse;
import io.chronik.raft.replica.RaftMessage;
import io.chronik.raft.replica.ReadIndexRequest;
import io.chronik.raft.replica.ReadIndexResponse;
import io.chronik.raft.replica.RequestVote;
import io.chronik.raft.replica.RequestVoteResponse;
import io.chronik.raft.replica.TimeoutNow;
import io.chronik.raft.rpc.PeerEnvelope;
import java.io.NotSerializableException;

/**
 * Wire form of the replica-to-replica messages between cluster nodes: the protobuf classes
 * generated from {@code proto/raft_rpc.proto}, one manifest per message, and the envelope
 * ({@link NodeHost.FromPeer}) that carries one to another node's host. Bytes that do not parse
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
  private static final String TIMEOUT_NOW = "TN";
  private static final String FORWARDED_PROPOSE = "FP";
  private static final String FORWARDED_PROPOSE_RESULT = "FPR";
  private static final String INSTALL_SNAPSHOT = "IS";
  private static final String INSTALL_SNAPSHOT_RESPONSE = "ISR";
  private static final String FROM_PEER = "PEER";
  private static final String HELLO = "HELLO";
  private static final String RETIRE = "RETIRE";

  private final RefCodec refs;
  /** The last sender host serialized (a node's transport names the same one every time). */
  private volatile CachedRef lastSender;

  private record CachedRef(ActorRef<?> ref, String serialized) {}

  public RaftMessageSerializer(ExtendedActorSystem system) {
    this.refs = new RefCodec(system);
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof NodeHost.FromPeer) return FROM_PEER;
    if (o instanceof NodeHost.Hello) return HELLO;
    if (o instanceof NodeHost.Retire) return RETIRE;
    if (o instanceof RequestVote) return REQUEST_VOTE;
    if (o instanceof RequestVoteResponse) return REQUEST_VOTE_RESPONSE;
    if (o instanceof AppendEntries) return APPEND_ENTRIES;
    if (o instanceof AppendEntriesResponse) return APPEND_ENTRIES_RESPONSE;
    if (o instanceof ReadIndexRequest) return READ_INDEX_REQUEST;
    if (o instanceof ReadIndexResponse) return READ_INDEX_RESPONSE;
    if (o instanceof ForwardedRead) return FORWARDED_READ;
    if (o instanceof ForwardedReadResult) return FORWARDED_READ_RESULT;
    if (o instanceof TimeoutNow) return TIMEOUT_NOW;
    if (o instanceof ForwardedPropose) return FORWARDED_PROPOSE;
    if (o instanceof ForwardedProposeResult) return FORWARDED_PROPOSE_RESULT;
    if (o instanceof InstallSnapshot) return INSTALL_SNAPSHOT;
    if (o instanceof InstallSnapshotResponse) return INSTALL_SNAPSHOT_RESPONSE;
    throw new IllegalArgumentException("not a chronik replica message: " + o.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof NodeHost.FromPeer p) {
      return PeerEnvelope.newBuilder().setSenderHost(serialized(p.senderHost())).setManifest(manifest(p.message()))
          .setMessage(RaftWireFormat.toProto(p.message()).toByteString()).setToMember(p.toMember())
          .setToStore(p.toStore()).build().toByteArray();
    }
    if (o instanceof NodeHost.Retire r) {
      return io.chronik.raft.rpc.Retire.newBuilder().setGroupId(r.groupId()).setMember(r.member()).build().toByteArray();
    }
    if (o instanceof NodeHost.Hello h) {
      return io.chronik.raft.rpc.Hello.newBuilder().setNodeId(h.nodeId())
          .setHost(refs.toWire(h.host())).setGrpcAddress(h.grpcAddress()).setStoreId(h.storeId())
          .setFilesHash(h.filesHash()).setClusterId(h.clusterId()).setKafkaAddress(h.kafkaAddress()).setRack(h.rack())
          .setPeerAddress(h.peerAddress()).build().toByteArray();
    }
    return RaftWireFormat.toProto((RaftMessage) o).toByteArray();
  }

  private String serialized(ActorRef<?> ref) {
    CachedRef c = lastSender;
    if (c == null || !c.ref.equals(ref)) lastSender = c = new CachedRef(ref, refs.toWire(ref));
    return c.serialized;
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try {
      if (manifest.equals(HELLO)) {
        io.chronik.raft.rpc.Hello h = io.chronik.raft.rpc.Hello.parseFrom(bytes);
        if (h.getNodeId().isEmpty()) throw new NotSerializableException("hello without a node id");
        return new NodeHost.Hello(h.getNodeId(), refs.fromWire(h.getHost()), h.getGrpcAddress(), h.getStoreId(),
            h.getFilesHash(), h.getClusterId(), h.getKafkaAddress(), h.getRack(), h.getPeerAddress());
      }
      if (manifest.equals(RETIRE)) {
        io.chronik.raft.rpc.Retire r = io.chronik.raft.rpc.Retire.parseFrom(bytes);
        if (r.getGroupId().isEmpty() || r.getMember().isEmpty()) throw new NotSerializableException("retire without a member");
        return new NodeHost.Retire(r.getGroupId(), r.getMember());
      }
      if (manifest.equals(FROM_PEER)) {
        PeerEnvelope e = PeerEnvelope.parseFrom(bytes);
        if (e.getManifest().equals(FROM_PEER)) throw new NotSerializableException("nested chronik peer envelope");
        RaftMessage m = (RaftMessage) fromBinary(e.getMessage().toByteArray(), e.getManifest());
        return new NodeHost.FromPeer(m, refs.fromWire(e.getSenderHost()), e.getToMember(), e.getToStore());
      }
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
        case TIMEOUT_NOW -> RaftWireFormat.fromProto(io.chronik.raft.rpc.TimeoutNow.parseFrom(bytes));
        case FORWARDED_PROPOSE -> RaftWireFormat.fromProto(io.chronik.raft.rpc.ForwardedPropose.parseFrom(bytes));
        case FORWARDED_PROPOSE_RESULT ->
            RaftWireFormat.fromProto(io.chronik.raft.rpc.ForwardedProposeResult.parseFrom(bytes));
        case INSTALL_SNAPSHOT -> RaftWireFormat.fromProto(io.chronik.raft.rpc.InstallSnapshot.parseFrom(bytes));
        case INSTALL_SNAPSHOT_RESPONSE ->
            RaftWireFormat.fromProto(io.chronik.raft.rpc.InstallSnapshotResponse.parseFrom(bytes));
        default -> throw new NotSerializableException("unknown chronik replica message manifest '" + manifest
            + "' (a node of a newer version?)");
      };
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new NotSerializableException("malformed chronik replica message (" + manifest + "): " + e.getMessage());
    }
  }
}
