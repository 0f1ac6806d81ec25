package io.chronik.raft.replica;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.chronik.raft.core.RaftLog;
import io.chronik.raft.core.RaftLog.ConflictHint;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.rpc.LogEntry;
import java.util.List;

/**
 * Follower: accepts the leader's entries, votes, forwards clients' writes to the leader it hears
 * from, and starts an election when the leader goes quiet (or at once when the leader hands over
 * leadership with {@link TimeoutNow}).
 */
final class FollowerRole implements Replica.RoleHandler {
  private final Replica r;

  FollowerRole(Replica replica) {
    this.r = replica;
  }

  Behavior<Command> behavior() {
    return r.roleBehavior(this)
        .onMessage(Propose.class, this::onPropose)
        .onMessage(ReadProtocol.Read.class, this::onRead)
        .onMessage(Replica.ElectionTimeout.class, m -> onElectionTimeout())
        .onMessage(ReplicaControl.TransferLeadership.class, m -> Behaviors.same())
        .onMessage(Replica.HeartbeatTick.class, m -> Behaviors.same())
        .onMessage(Replica.CheckQuorumTick.class, m -> Behaviors.same())
        .build();
  }

  @Override
  public Behavior<Command> onRaftMessage(RaftMessage m) {
    if (m instanceof AppendEntries ae) return onAppendEntries(ae);
    if (m instanceof RequestVote rv) return r.answerVote(rv, r.inLeaderLease(this));
    if (m instanceof TimeoutNow tn) return onTimeoutNow(tn);
    if (m instanceof InstallSnapshot is) {
      r.heardFromLeader(is.from());
      return r.snapshots.onInstallSnapshot(is);
    }
    if (Replica.isLeaderAnswer(m)) return r.onLeaderAnswer(m);
    if (Replica.isLeaderWork(m)) return r.refuseLeaderWork(m);
    return Behaviors.same(); // responses to a campaign or leadership this replica no longer has
  }

  /**
   * A write goes to the leader this replica hears from; with no such leader the client is told at
   * once (nothing happened, so it may retry) rather than having its write sent into silence.
   */
  private Behavior<Command> onPropose(Propose p) {
    java.util.Optional<String> leader = r.leaderInContact();
    if (leader.isPresent()) {
      r.forwarding.forward(p, leader.get());
      return Behaviors.same();
    }
    return r.rejectProposal(p);
  }

  /**
   * safe: ReadIndex through the leader; none: the leader serves it; unsafe: serve locally
   * ({@link io.chronik.raft.core.ReadRules#route}).
   */
  private Behavior<Command> onRead(ReadProtocol.Read read) {
    long id = r.reads.accept(read);
    switch (r.reads.route(io.chronik.raft.core.ReadRules.Role.FOLLOWER, id)) {
      case ASK_LEADER_FOR_INDEX -> r.reads.requestReadIndex(id);
      case FORWARD_TO_LEADER -> r.reads.forward(id);
      case SERVE_LOCALLY -> r.serveLocal(id);
      case NO_LEADER -> r.reads.failNoLeader(id);
      case CONFIRM_AS_LEADER -> throw new IllegalStateException("a follower cannot confirm a read as leader");
    }
    return Behaviors.same();
  }

  /**
   * A stopping node's replica lets the others elect a leader first (it would only have to hand
   * leadership away), but not forever: one of them may lack entries only it holds.
   */
  private Behavior<Command> onElectionTimeout() {
    if (r.draining && r.drainingTimeouts++ < Replica.DRAINING_PATIENCE) {
      r.resetElectionTimer();
      return Behaviors.same();
    }
    return r.becomeCandidate(r.settings.preVote());
  }

  /**
   * Thesis §3.10: the leader of this term made this log as complete as its own and asks for an
   * election now. No PreVote: the leader itself is giving way, so the election is not disruptive.
   */
  private Behavior<Command> onTimeoutNow(TimeoutNow tn) {
    if (r.draining) {
      r.log.info("group {} replica {}: ignoring TimeoutNow from {}: this node is stopping", r.members.groupId(),
          r.members.self(), tn.from());
      return Behaviors.same();
    }
    r.log.info("group {} replica {}: leader {} hands over leadership in term {}", r.members.groupId(),
        r.members.self(), tn.from(), tn.term());
    return r.becomeCandidate(false, true);
  }

  /**
   * Entries up to the compaction point are committed here, so they agree with the current
   * leader's (§5.4): an AppendEntries reaching back before it is checked from that point on.
   */
  private static AppendEntries skipCompacted(AppendEntries ae, RaftLog log) {
    long base = log.compactedIndex();
    if (ae.prevLogIndex() >= base) return ae;
    List<LogEntry> after = ae.entries().stream().filter(e -> e.getIndex() > base).toList();
    return new AppendEntries(ae.groupId(), ae.term(), ae.from(), base, log.termAt(base), after, ae.leaderCommit(),
        ae.readSeq());
  }

  /**
   * Raft §5.3. Reject unless the log holds prevLogIndex with prevLogTerm; otherwise delete the
   * first conflicting entry and all after it, append what is new, and acknowledge once durable.
   * Entries already present are kept, so a duplicated or reordered AppendEntries never
   * truncates entries a newer AppendEntries added.
   */
  private Behavior<Command> onAppendEntries(AppendEntries received) {
    r.heardFromLeader(received.from());
    RaftLog log = r.raftLog;
    AppendEntries ae = skipCompacted(received, log);
    if (!log.matches(ae.prevLogIndex(), ae.prevLogTerm())) {
      ConflictHint hint = log.conflictHint(ae.prevLogIndex());
      r.sendAfterPersist(ae.from(), AppendEntriesResponse.rejected(
          r.members.groupId(), r.term, r.members.self(), ae.prevLogIndex(), hint.index(), hint.term(), ae.readSeq())
          .withDraining(r.draining));
      return Behaviors.same();
    }
    long conflict = log.findConflict(ae.entries());
    if (conflict != 0) {
      if (conflict <= r.commitIndex) {
        // Leader Completeness (§5.4) says this cannot happen; acting on it would lose a
        // committed entry, so refuse loudly instead.
        throw new IllegalStateException("group " + r.members.groupId() + ": leader " + ae.from()
            + " term " + ae.term() + " conflicts with committed entry " + conflict);
      }
      if (conflict <= log.lastIndex()) {
        log.truncateFrom(conflict);
        r.writes.truncateFrom(conflict);
      }
      List<LogEntry> fresh = ae.entries().subList((int) (conflict - ae.entries().get(0).getIndex()),
          ae.entries().size());
      log.appendAll(fresh);
      r.writes.append(fresh);
    }
    long lastNew = ae.lastIndex();
    r.commitTo(Math.min(ae.leaderCommit(), lastNew));
    r.sendAfterPersist(ae.from(),
        AppendEntriesResponse.accepted(r.members.groupId(), r.term, r.members.self(), lastNew, ae.readSeq())
            .withDraining(r.draining));
    return Behaviors.same();
  }
}
