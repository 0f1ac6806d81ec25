package io.chronik.raft.cluster;

import com.google.protobuf.MessageLite;
import io.chronik.raft.core.Configuration;
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
import io.chronik.raft.snapshot.SnapshotReceiver;
import java.util.Optional;

/** Converts replica messages to and from their protobuf wire form ({@code proto/raft_rpc.proto}). */
final class RaftWireFormat {
  private RaftWireFormat() {}

  static MessageLite toProto(RaftMessage m) {
    if (m instanceof RequestVote v) {
      return io.chronik.raft.rpc.RequestVote.newBuilder().setGroupId(v.groupId()).setTerm(v.term()).setFrom(v.from())
          .setLastLogIndex(v.lastLogIndex()).setLastLogTerm(v.lastLogTerm()).setPreVote(v.preVote())
          .setLeadershipTransfer(v.leadershipTransfer()).build();
    }
    if (m instanceof RequestVoteResponse v) {
      return io.chronik.raft.rpc.RequestVoteResponse.newBuilder().setGroupId(v.groupId()).setTerm(v.term())
          .setFrom(v.from()).setGranted(v.granted()).setPreVote(v.preVote()).build();
    }
    if (m instanceof AppendEntries a) {
      return io.chronik.raft.rpc.AppendEntries.newBuilder().setGroupId(a.groupId()).setTerm(a.term()).setFrom(a.from())
          .setPrevLogIndex(a.prevLogIndex()).setPrevLogTerm(a.prevLogTerm()).addAllEntries(a.entries())
          .setLeaderCommit(a.leaderCommit()).setReadSeq(a.readSeq()).build();
    }
    if (m instanceof AppendEntriesResponse a) {
      return io.chronik.raft.rpc.AppendEntriesResponse.newBuilder().setGroupId(a.groupId()).setTerm(a.term())
          .setFrom(a.from()).setSuccess(a.success()).setMatchIndex(a.matchIndex())
          .setRejectedPrevIndex(a.rejectedPrevIndex()).setConflictIndex(a.conflictIndex())
          .setConflictTerm(a.conflictTerm()).setReadSeq(a.readSeq()).setDraining(a.draining()).build();
    }
    if (m instanceof ReadIndexRequest r) {
      return io.chronik.raft.rpc.ReadIndexRequest.newBuilder().setGroupId(r.groupId()).setTerm(r.term())
          .setFrom(r.from()).setRequestId(r.requestId()).build();
    }
    if (m instanceof ReadIndexResponse r) {
      return io.chronik.raft.rpc.ReadIndexResponse.newBuilder().setGroupId(r.groupId()).setTerm(r.term())
          .setFrom(r.from()).setRequestId(r.requestId()).setOk(r.ok()).setReadIndex(r.readIndex()).build();
    }
    if (m instanceof ForwardedRead f) {
      return io.chronik.raft.rpc.ForwardedRead.newBuilder().setGroupId(f.groupId()).setTerm(f.term()).setFrom(f.from())
          .setReadId(f.readId()).setQuery(f.query()).setMinIndex(f.minIndex()).build();
    }
    if (m instanceof ForwardedReadResult f) {
      return io.chronik.raft.rpc.ForwardedReadResult.newBuilder().setGroupId(f.groupId()).setTerm(f.term())
          .setFrom(f.from()).setReadId(f.readId()).setOk(f.ok()).setResult(f.result())
          .setAppliedIndex(f.appliedIndex()).build();
    }
    if (m instanceof InstallSnapshot i) {
      io.chronik.raft.rpc.InstallSnapshot.Builder b = io.chronik.raft.rpc.InstallSnapshot.newBuilder()
          .setGroupId(i.groupId()).setTerm(i.term())
          .setFrom(i.from()).setLastIndex(i.lastIndex()).setLastTerm(i.lastTerm()).setOffset(i.offset())
          .setData(i.data()).setTotalSize(i.totalSize()).setTransfer(i.transfer())
          .setCrc32C(i.checksum() == SnapshotReceiver.NO_CHECKSUM ? 0 : (int) i.checksum());
      i.config().ifPresent(c -> b.setConfig(c.toProto()).setConfigIndex(i.configIndex()));
      return b.build();
    }
    if (m instanceof InstallSnapshotResponse i) {
      return io.chronik.raft.rpc.InstallSnapshotResponse.newBuilder().setGroupId(i.groupId()).setTerm(i.term())
          .setFrom(i.from()).setLastIndex(i.lastIndex()).setLastTerm(i.lastTerm()).setNextOffset(i.nextOffset())
          .setInstalled(i.installed()).setTransfer(i.transfer()).build();
    }
    if (m instanceof TimeoutNow t) {
      return io.chronik.raft.rpc.TimeoutNow.newBuilder().setGroupId(t.groupId()).setTerm(t.term()).setFrom(t.from())
          .build();
    }
    if (m instanceof ForwardedPropose f) {
      return io.chronik.raft.rpc.ForwardedPropose.newBuilder().setGroupId(f.groupId()).setTerm(f.term())
          .setFrom(f.from()).setProposalId(f.proposalId()).setCommand(f.command()).build();
    }
    if (m instanceof ForwardedProposeResult f) {
      return io.chronik.raft.rpc.ForwardedProposeResult.newBuilder().setGroupId(f.groupId()).setTerm(f.term())
          .setFrom(f.from()).setProposalId(f.proposalId())
          .setOutcome(io.chronik.raft.rpc.ForwardedProposeResult.Outcome.valueOf(f.outcome().name()))
          .setIndex(f.index()).setResult(f.result()).setReason(f.reason()).build();
    }
    throw new IllegalArgumentException("not a chronik replica message: " + m.getClass().getName());
  }

  static RequestVote fromProto(io.chronik.raft.rpc.RequestVote p) {
    return new RequestVote(p.getGroupId(), p.getTerm(), p.getFrom(), p.getLastLogIndex(), p.getLastLogTerm(),
        p.getPreVote(), p.getLeadershipTransfer());
  }

  static RequestVoteResponse fromProto(io.chronik.raft.rpc.RequestVoteResponse p) {
    return new RequestVoteResponse(p.getGroupId(), p.getTerm(), p.getFrom(), p.getGranted(), p.getPreVote());
  }

  static AppendEntries fromProto(io.chronik.raft.rpc.AppendEntries p) {
    return new AppendEntries(p.getGroupId(), p.getTerm(), p.getFrom(), p.getPrevLogIndex(), p.getPrevLogTerm(),
        p.getEntriesList(), p.getLeaderCommit(), p.getReadSeq());
  }

  static AppendEntriesResponse fromProto(io.chronik.raft.rpc.AppendEntriesResponse p) {
    return new AppendEntriesResponse(p.getGroupId(), p.getTerm(), p.getFrom(), p.getSuccess(), p.getMatchIndex(),
        p.getRejectedPrevIndex(), p.getConflictIndex(), p.getConflictTerm(), p.getReadSeq(), p.getDraining());
  }

  static ReadIndexRequest fromProto(io.chronik.raft.rpc.ReadIndexRequest p) {
    return new ReadIndexRequest(p.getGroupId(), p.getTerm(), p.getFrom(), p.getRequestId());
  }

  static ReadIndexResponse fromProto(io.chronik.raft.rpc.ReadIndexResponse p) {
    return new ReadIndexResponse(p.getGroupId(), p.getTerm(), p.getFrom(), p.getRequestId(), p.getOk(),
        p.getReadIndex());
  }

  static ForwardedRead fromProto(io.chronik.raft.rpc.ForwardedRead p) {
    return new ForwardedRead(p.getGroupId(), p.getTerm(), p.getFrom(), p.getReadId(), p.getQuery(), p.getMinIndex());
  }

  static ForwardedReadResult fromProto(io.chronik.raft.rpc.ForwardedReadResult p) {
    return new ForwardedReadResult(p.getGroupId(), p.getTerm(), p.getFrom(), p.getReadId(), p.getOk(), p.getResult(),
        p.getAppliedIndex());
  }

  static InstallSnapshot fromProto(io.chronik.raft.rpc.InstallSnapshot p) {
    if (p.getOffset() < 0 || p.getTotalSize() < 0 || p.getLastIndex() < 0 || p.getLastTerm() < 0) {
      throw new IllegalArgumentException("InstallSnapshot with a negative index, term, offset or size");
    }
    // A malformed configuration (or index) throws IllegalArgumentException: refused like any malformed message.
    Optional<Configuration> config = p.hasConfig() ? Optional.of(Configuration.fromProto(p.getConfig())) : Optional.empty();
    return new InstallSnapshot(p.getGroupId(), p.getTerm(), p.getFrom(), p.getLastIndex(), p.getLastTerm(),
        p.getOffset(), p.getData(), p.getTotalSize(), p.getTransfer(),
        p.getTransfer() == 0 ? SnapshotReceiver.NO_CHECKSUM : Integer.toUnsignedLong(p.getCrc32C()),
        config, p.getConfigIndex());
  }

  static InstallSnapshotResponse fromProto(io.chronik.raft.rpc.InstallSnapshotResponse p) {
    return new InstallSnapshotResponse(p.getGroupId(), p.getTerm(), p.getFrom(), p.getLastIndex(), p.getLastTerm(),
        p.getNextOffset(), p.getInstalled(), p.getTransfer());
  }

  static TimeoutNow fromProto(io.chronik.raft.rpc.TimeoutNow p) {
    return new TimeoutNow(p.getGroupId(), p.getTerm(), p.getFrom());
  }

  static ForwardedPropose fromProto(io.chronik.raft.rpc.ForwardedPropose p) {
    return new ForwardedPropose(p.getGroupId(), p.getTerm(), p.getFrom(), p.getProposalId(), p.getCommand());
  }

  /** @throws IllegalArgumentException for an outcome this version does not know */
  static ForwardedProposeResult fromProto(io.chronik.raft.rpc.ForwardedProposeResult p) {
    if (p.getOutcome() == io.chronik.raft.rpc.ForwardedProposeResult.Outcome.UNRECOGNIZED) {
      throw new IllegalArgumentException("unknown forwarded-propose outcome " + p.getOutcomeValue());
    }
    return new ForwardedProposeResult(p.getGroupId(), p.getTerm(), p.getFrom(), p.getProposalId(),
        ForwardedProposeResult.Outcome.valueOf(p.getOutcome().name()), p.getIndex(), p.getResult(), p.getReason());
  }
}
