package io.chronik.raft.replica;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.chronik.raft.core.ReplicationRules.AppendDecision;
import io.chronik.raft.core.ReplicationRules.AppendRequest;
import io.chronik.raft.replica.ClientProtocol.Propose;

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
        .onMessage(ReplicaControl.ChangeConfig.class, r::refuseChange)
        .onMessage(ReplicaControl.RecordFilesConfiguration.class, m -> Behaviors.same())
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
    r.reads.onRead(read, io.chronik.raft.core.ReadRules.Role.FOLLOWER, Reads.NOT_LEADER);
    return Behaviors.same();
  }

  /**
   * What {@link io.chronik.raft.core.ElectionRules#onElectionTimeout} decides: campaign (with a
   * pre-vote first where enabled), or — draining — wait another timeout, counted here.
   */
  private Behavior<Command> onElectionTimeout() {
    var action = r.settings.rules().election().onElectionTimeout(r.draining, r.drainingTimeouts, r.settings.preVote());
    r.countDrainingTimeout();
    return r.onElectionTimeout(action);
  }

  /** Thesis §3.10, as {@link io.chronik.raft.core.ElectionRules#campaignOnTimeoutNow} decides: a real election now. */
  private Behavior<Command> onTimeoutNow(TimeoutNow tn) {
    if (!r.settings.rules().election().campaignOnTimeoutNow(r.draining)) {
      r.log.info("group {} replica {}: ignoring TimeoutNow from {}: this node is stopping", r.members.groupId(),
          r.members.self(), tn.from());
      return Behaviors.same();
    }
    if (!r.membership.promotable()) {
      r.log.info("group {} replica {}: ignoring TimeoutNow from {}: it is no voter of {}", r.members.groupId(),
          r.members.self(), tn.from(), r.membership.config().map(Object::toString).orElse("a configuration it knows"));
      return Behaviors.same();
    }
    r.log.info("group {} replica {}: leader {} hands over leadership in term {}", r.members.groupId(),
        r.members.self(), tn.from(), tn.term());
    return r.becomeCandidate(false, true);
  }

  /**
   * Raft §5.3, decided by {@link ReplicationRules#onAppendEntries}: this executes the decision —
   * truncate, append, commit — and acknowledges or refuses once durable. The commit index may also
   * have moved by what earlier requests and read answers of this term told ({@link
   * io.chronik.raft.core.FollowerCommit}).
   */
  private Behavior<Command> onAppendEntries(AppendEntries ae) {
    long arrived = System.nanoTime();
    r.heardFromLeader(ae.from());
    AppendDecision d = r.settings.rules().replication().onAppendEntries(r.raftLog,
        new AppendRequest(ae.prevLogIndex(), ae.prevLogTerm(), ae.entries(), ae.leaderCommit()));
    if (!d.accepted()) {
      r.sendAfterPersist(ae.from(), AppendEntriesResponse.rejected(r.members.groupId(), r.term, r.members.self(),
          d.prevIndex(), d.hint().index(), d.hint().term(), ae.readSeq()).withDraining(r.draining));
      return Behaviors.same();
    }
    r.follow(d, ae.from());
    r.commitKnown(r.followerCommit.onAppendAccepted(ae.term(), ae.leaderCommit(), d.matchIndex()));
    AppendEntriesResponse ack =
        AppendEntriesResponse.accepted(r.members.groupId(), r.term, r.members.self(), d.matchIndex(), ae.readSeq())
            .withDraining(r.draining);
    if (ae.entries().isEmpty() || r.writes.idle()) {
      // Nothing to time: a heartbeat, or entries this log already held durably (a resend).
      r.sendAfterPersist(ae.from(), ack);
    } else {
      r.writes.afterPersist(() -> {
        r.metrics.writeStage(ReplicaLatency.WriteStage.FOLLOWER_APPEND, arrived);
        r.send(ae.from(), ack);
      });
    }
    return Behaviors.same();
  }
}
