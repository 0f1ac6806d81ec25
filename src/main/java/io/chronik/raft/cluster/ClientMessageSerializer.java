package io.chronik.raft.cluster;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.serialization.SerializerWithStringManifest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.chronik.raft.core.ChangeRequest;
import io.chronik.raft.replica.ClientProtocol;
import io.chronik.raft.replica.ReplicaControl;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.replica.ReadProtocol;
import io.chronik.raft.rpc.client.ForPartition;
import io.chronik.raft.rpc.client.GetStatus;
import io.chronik.raft.rpc.client.LocalQuery;
import io.chronik.raft.rpc.client.NoLeader;
import io.chronik.raft.rpc.client.NotLeader;
import io.chronik.raft.rpc.client.OutcomeUnknown;
import io.chronik.raft.rpc.client.ProposalRejected;
import io.chronik.raft.rpc.client.Propose;
import io.chronik.raft.rpc.client.Proposed;
import io.chronik.raft.rpc.client.QueryResult;
import io.chronik.raft.rpc.client.Read;
import io.chronik.raft.rpc.client.ReadResult;
import io.chronik.raft.rpc.client.ReadTimeout;
import io.chronik.raft.rpc.client.RetryLater;
import io.chronik.raft.rpc.client.Status;
import io.chronik.raft.rpc.client.UnknownPartition;
import java.io.NotSerializableException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Wire form of client requests to replicas and their answers ({@code proto/replica_client.proto}),
 * so that any node can reach any replica. Reply-to references travel as serialized ActorRefs.
 */
public final class ClientMessageSerializer extends SerializerWithStringManifest {
  public static final int IDENTIFIER = 731_002;

  private final RefCodec refs;

  public ClientMessageSerializer(ExtendedActorSystem system) {
    this.refs = new RefCodec(system);
  }

  private String ref(ActorRef<?> ref) {
    return refs.toWire(ref);
  }

  private <T> ActorRef<T> ref(String serialized) {
    return refs.fromWire(serialized);
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    return o.getClass().getSimpleName();
  }

  private static final String FOR_PARTITION = "ForPartition";

  @Override
  public byte[] toBinary(Object o) {
    return toProto(o).toByteArray();
  }

  private MessageLite toProto(Object o) {
    if (o instanceof NodeHost.ForPartition f) {
      return ForPartition.newBuilder().setGroupId(f.groupId()).setManifest(manifest(f.command()))
          .setCommand(toProto(f.command()).toByteString()).build();
    }
    if (o instanceof ClientProtocol.Propose p) {
      return Propose.newBuilder().setCommand(p.command()).setReplyTo(ref(p.replyTo())).build();
    }
    if (o instanceof ClientProtocol.LocalQuery q) {
      return LocalQuery.newBuilder().setQuery(q.query()).setReplyTo(ref(q.replyTo())).build();
    }
    if (o instanceof ClientProtocol.GetStatus g) return GetStatus.newBuilder().setReplyTo(ref(g.replyTo())).build();
    if (o instanceof ReadProtocol.Read r) {
      return Read.newBuilder().setQuery(r.query()).setPolicy(r.policy().map(ReadPolicy::configName).orElse(""))
          .setMinIndex(r.minIndex()).setReplyTo(ref(r.replyTo())).build();
    }
    if (o instanceof ClientProtocol.Proposed p) {
      return Proposed.newBuilder().setIndex(p.index()).setResult(p.result()).setLeader(p.leader()).build();
    }
    if (o instanceof ClientProtocol.NotLeader n) {
      return NotLeader.newBuilder().setGroupId(n.groupId()).setLeaderHint(n.leaderHint().orElse("")).build();
    }
    if (o instanceof ClientProtocol.ProposalRejected r) return ProposalRejected.newBuilder().setReason(r.reason()).build();
    if (o instanceof ClientProtocol.OutcomeUnknown u) return OutcomeUnknown.newBuilder().setReason(u.reason()).build();
    if (o instanceof ClientProtocol.QueryResult q) {
      return QueryResult.newBuilder().setResult(q.result()).setAppliedIndex(q.appliedIndex()).build();
    }
    if (o instanceof ClientProtocol.Status s) {
      Status.Builder status = Status.newBuilder().setGroupId(s.groupId()).setReplicaId(s.replicaId()).setRole(s.role())
          .setTerm(s.term()).setLeader(s.leader().orElse("")).setCommitIndex(s.commitIndex())
          .setAppliedIndex(s.appliedIndex()).setLastIndex(s.lastIndex()).setSnapshotIndex(s.snapshotIndex())
          .putAllStateMachine(s.stateMachine()).setFault(s.fault()).setConfigIndex(s.configIndex());
      s.config().ifPresent(c -> status.setConfig(c.toProto()));
      return status.build();
    }
    if (o instanceof ReadProtocol.ReadResult r) {
      return ReadResult.newBuilder().setResult(r.result()).setAppliedIndex(r.appliedIndex()).setServedBy(r.servedBy())
          .setPolicy(r.policy().configName()).build();
    }
    if (o instanceof ReadProtocol.NoLeader n) {
      return NoLeader.newBuilder().setGroupId(n.groupId()).setLeaderHint(n.leaderHint().orElse("")).build();
    }
    if (o instanceof ReadProtocol.ReadTimeout t) {
      return ReadTimeout.newBuilder().setGroupId(t.groupId()).setAfterMillis(t.after().toMillis()).build();
    }
    if (o instanceof ReadProtocol.RetryLater r) {
      return RetryLater.newBuilder().setGroupId(r.groupId()).setReason(r.reason())
          .setLeaderHint(r.leaderHint().orElse("")).build();
    }
    if (o instanceof ClientProtocol.UnknownPartition u) {
      return UnknownPartition.newBuilder().setGroupId(u.groupId()).addAllHosted(u.hosted()).build();
    }
    if (o instanceof ReplicaControl.ChangeConfig c) return changeConfig(c);
    if (o instanceof ReplicaControl.ConfigChanged c) {
      return io.chronik.raft.rpc.client.ConfigChanged.newBuilder().setGroupId(c.groupId()).setConfig(c.config().toProto())
          .setIndex(c.index()).build();
    }
    if (o instanceof ReplicaControl.ConfigChangeRefused r) {
      return io.chronik.raft.rpc.client.ConfigChangeRefused.newBuilder().setGroupId(r.groupId())
          .setRefusal(r.refusal().name()).setMessage(r.message()).setLeaderHint(r.leaderHint().orElse("")).build();
    }
    if (o instanceof ReplicaControl.ConfigChangeNotLeader n) {
      return io.chronik.raft.rpc.client.ConfigChangeNotLeader.newBuilder().setGroupId(n.groupId())
          .setLeaderHint(n.leaderHint().orElse("")).build();
    }
    if (o instanceof ReplicaControl.ConfigChangeUnknown u) {
      return io.chronik.raft.rpc.client.ConfigChangeUnknown.newBuilder().setGroupId(u.groupId()).setReason(u.reason())
          .build();
    }
    if (o instanceof ReplicaControl.TransferLeadership t) {
      return io.chronik.raft.rpc.client.TransferLeadership.newBuilder().setTarget(t.target()).build();
    }
    throw new IllegalArgumentException("no wire form for " + o.getClass().getName());
  }

  private MessageLite changeConfig(ReplicaControl.ChangeConfig c) {
    io.chronik.raft.rpc.client.ChangeConfig.Builder b = io.chronik.raft.rpc.client.ChangeConfig.newBuilder()
        .setReplyTo(ref(c.replyTo()));
    ChangeRequest r = c.request();
    if (r instanceof ChangeRequest.AddLearner add) {
      b.setAddLearner(io.chronik.raft.rpc.client.AddLearner.newBuilder().setNode(add.node()).setStore(add.store()));
    } else if (r instanceof ChangeRequest.Remove rm) {
      b.setRemove(rm.member());
    } else if (r instanceof ChangeRequest.Promote p) {
      b.setPromote(p.learner());
    } else if (r instanceof ChangeRequest.Replace rp) {
      b.setReplace(io.chronik.raft.rpc.client.Replace.newBuilder().setLearner(rp.learner()).setVoter(rp.voter()));
    } else {
      b.setLeaveJoint(true);
    }
    return b.build();
  }

  private ReplicaControl.ChangeConfig changeConfig(io.chronik.raft.rpc.client.ChangeConfig c)
      throws NotSerializableException {
    ChangeRequest request = switch (c.getRequestCase()) {
      case ADD_LEARNER -> new ChangeRequest.AddLearner(c.getAddLearner().getNode(), c.getAddLearner().getStore());
      case REMOVE -> new ChangeRequest.Remove(c.getRemove());
      case PROMOTE -> new ChangeRequest.Promote(c.getPromote());
      case REPLACE -> new ChangeRequest.Replace(c.getReplace().getLearner(), c.getReplace().getVoter());
      case LEAVE_JOINT -> new ChangeRequest.LeaveJoint();
      case REQUEST_NOT_SET -> throw new NotSerializableException("ChangeConfig without a request");
    };
    return new ReplicaControl.ChangeConfig(request, ref(c.getReplyTo()));
  }

  @Override
  public Object fromBinary(byte[] b, String manifest) throws NotSerializableException {
    try {
      return switch (manifest) {
        case FOR_PARTITION -> {
          ForPartition f = ForPartition.parseFrom(b);
          if (f.getManifest().equals(FOR_PARTITION)) throw new NotSerializableException("nested ForPartition");
          Object command = fromBinary(f.getCommand().toByteArray(), f.getManifest());
          if (!(command instanceof io.chronik.raft.replica.Command c)) {
            throw new NotSerializableException("ForPartition carries " + f.getManifest() + ", not a replica request");
          }
          yield new NodeHost.ForPartition(f.getGroupId(), c);
        }
        case "Propose" -> {
          Propose p = Propose.parseFrom(b);
          yield new ClientProtocol.Propose(p.getCommand(), ref(p.getReplyTo()));
        }
        case "LocalQuery" -> {
          LocalQuery q = LocalQuery.parseFrom(b);
          yield new ClientProtocol.LocalQuery(q.getQuery(), ref(q.getReplyTo()));
        }
        case "GetStatus" -> new ClientProtocol.GetStatus(ref(GetStatus.parseFrom(b).getReplyTo()));
        case "Read" -> {
          Read r = Read.parseFrom(b);
          Optional<ReadPolicy> policy = r.getPolicy().isEmpty() ? Optional.empty() : Optional.of(ReadPolicy.parse(r.getPolicy()));
          yield new ReadProtocol.Read(r.getQuery(), policy, r.getMinIndex(), ref(r.getReplyTo()));
        }
        case "Proposed" -> {
          Proposed p = Proposed.parseFrom(b);
          yield new ClientProtocol.Proposed(p.getIndex(), p.getResult(), p.getLeader());
        }
        case "NotLeader" -> {
          NotLeader n = NotLeader.parseFrom(b);
          yield new ClientProtocol.NotLeader(n.getGroupId(), optional(n.getLeaderHint()));
        }
        case "ProposalRejected" -> new ClientProtocol.ProposalRejected(ProposalRejected.parseFrom(b).getReason());
        case "OutcomeUnknown" -> new ClientProtocol.OutcomeUnknown(OutcomeUnknown.parseFrom(b).getReason());
        case "QueryResult" -> {
          QueryResult q = QueryResult.parseFrom(b);
          yield new ClientProtocol.QueryResult(q.getResult(), q.getAppliedIndex());
        }
        case "Status" -> {
          Status s = Status.parseFrom(b);
          yield new ClientProtocol.Status(s.getGroupId(), s.getReplicaId(), s.getRole(), s.getTerm(),
              optional(s.getLeader()), s.getCommitIndex(), s.getAppliedIndex(), s.getLastIndex(), s.getSnapshotIndex(),
              s.getStateMachineMap(), s.getFault(),
              s.hasConfig() ? Optional.of(io.chronik.raft.core.Configuration.fromProto(s.getConfig())) : Optional.empty(),
              s.getConfigIndex());
        }
        case "ReadResult" -> {
          ReadResult r = ReadResult.parseFrom(b);
          yield new ReadProtocol.ReadResult(r.getResult(), r.getAppliedIndex(), r.getServedBy(),
              ReadPolicy.parse(r.getPolicy()));
        }
        case "NoLeader" -> {
          NoLeader n = NoLeader.parseFrom(b);
          yield new ReadProtocol.NoLeader(n.getGroupId(), optional(n.getLeaderHint()));
        }
        case "ReadTimeout" -> {
          ReadTimeout t = ReadTimeout.parseFrom(b);
          yield new ReadProtocol.ReadTimeout(t.getGroupId(), Duration.ofMillis(t.getAfterMillis()));
        }
        case "RetryLater" -> {
          RetryLater r = RetryLater.parseFrom(b);
          yield new ReadProtocol.RetryLater(r.getGroupId(), r.getReason(), optional(r.getLeaderHint()));
        }
        case "UnknownPartition" -> {
          UnknownPartition u = UnknownPartition.parseFrom(b);
          yield new ClientProtocol.UnknownPartition(u.getGroupId(), Set.copyOf(u.getHostedList()));
        }
        case "ChangeConfig" -> changeConfig(io.chronik.raft.rpc.client.ChangeConfig.parseFrom(b));
        case "ConfigChanged" -> {
          io.chronik.raft.rpc.client.ConfigChanged c = io.chronik.raft.rpc.client.ConfigChanged.parseFrom(b);
          yield new ReplicaControl.ConfigChanged(c.getGroupId(),
              io.chronik.raft.core.Configuration.fromProto(c.getConfig()), c.getIndex());
        }
        case "ConfigChangeRefused" -> {
          io.chronik.raft.rpc.client.ConfigChangeRefused r = io.chronik.raft.rpc.client.ConfigChangeRefused.parseFrom(b);
          yield new ReplicaControl.ConfigChangeRefused(r.getGroupId(),
              io.chronik.raft.core.MembershipRules.Refusal.valueOf(r.getRefusal()), r.getMessage(),
              optional(r.getLeaderHint()));
        }
        case "ConfigChangeNotLeader" -> {
          io.chronik.raft.rpc.client.ConfigChangeNotLeader n =
              io.chronik.raft.rpc.client.ConfigChangeNotLeader.parseFrom(b);
          yield new ReplicaControl.ConfigChangeNotLeader(n.getGroupId(), optional(n.getLeaderHint()));
        }
        case "ConfigChangeUnknown" -> {
          io.chronik.raft.rpc.client.ConfigChangeUnknown u = io.chronik.raft.rpc.client.ConfigChangeUnknown.parseFrom(b);
          yield new ReplicaControl.ConfigChangeUnknown(u.getGroupId(), u.getReason());
        }
        case "TransferLeadership" -> new ReplicaControl.TransferLeadership(
            io.chronik.raft.rpc.client.TransferLeadership.parseFrom(b).getTarget());
        default -> throw new NotSerializableException("unknown chronik client message '" + manifest + "'");
      };
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new NotSerializableException("malformed chronik client message (" + manifest + "): " + e.getMessage());
    }
  }

  private static Optional<String> optional(String s) {
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }
}
