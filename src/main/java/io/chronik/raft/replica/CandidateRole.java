package io.chronik.raft.replica;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.chronik.raft.core.ElectionRules;
import io.chronik.raft.core.ElectionRules.CampaignOutcome;
import io.chronik.raft.replica.ClientProtocol.Propose;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Candidate (Raft §5.2) or pre-candidate (thesis §9.6). A pre-candidate asks whether a majority
 * would vote for it in the next term without changing any durable state; only when it would win
 * does it become a real candidate, increment the term and vote for itself. A candidate the leader
 * asked to take over ({@link TimeoutNow}) says so in its RequestVote, so that voters still in the
 * leader's lease consider it.
 */
final class CandidateRole implements Replica.RoleHandler {
  private final Replica r;
  final boolean preVote;
  private final boolean transfer;
  private final Map<String, Boolean> votes = new HashMap<>();
  private long campaignTerm;

  CandidateRole(Replica replica, boolean preVote, boolean transfer) {
    this.r = replica;
    this.preVote = preVote;
    this.transfer = transfer;
  }

  Behavior<Command> start() {
    campaignTerm = rules().campaignTerm(r.term, preVote);
    if (!preVote) {
      r.updateTerm(campaignTerm);
      r.vote(r.members.self());
    }
    votes.put(r.members.self(), true);
    CampaignOutcome outcome = rules().tally(r.membership.quorum(), votes, preVote);
    if (outcome == CampaignOutcome.RUN_ELECTION || outcome == CampaignOutcome.LEAD) return execute(outcome);
    RequestVote request = new RequestVote(r.members.groupId(), campaignTerm, r.members.self(),
        r.raftLog.lastIndex(), r.raftLog.lastTerm(), preVote, transfer);
    // The self-vote and new term are durable before anyone is asked (persist before you speak).
    r.broadcastToVotersAfterPersist(peer -> request);
    return behavior();
  }

  private ElectionRules rules() {
    return r.settings.rules().election();
  }

  private Behavior<Command> behavior() {
    return r.roleBehavior(this)
        .onMessage(Propose.class, r::rejectProposal)
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
    if (m instanceof RequestVoteResponse resp) return onVote(resp);
    // A leader of this term exists (§5.2): recognise it.
    if (m instanceof AppendEntries || m instanceof InstallSnapshot) {
      return r.becomeFollowerAndHandle(m, Optional.of(m.from()));
    }
    if (m instanceof RequestVote rv) return r.answerVote(rv, false);
    if (Replica.isLeaderAnswer(m)) return r.onLeaderAnswer(m);
    if (Replica.isLeaderWork(m)) return r.refuseLeaderWork(m);
    return Behaviors.same();
  }

  /**
   * No leader while campaigning: only local (unsafe) reads can be served
   * ({@link io.chronik.raft.core.ReadRules#route}).
   */
  private Behavior<Command> onRead(ReadProtocol.Read read) {
    r.reads.onRead(read, io.chronik.raft.core.ReadRules.Role.CANDIDATE, Reads.NOT_LEADER);
    return Behaviors.same();
  }

  private Behavior<Command> onVote(RequestVoteResponse resp) {
    if (!rules().counts(preVote, campaignTerm, resp.preVote(), resp.granted(), resp.term())) return Behaviors.same();
    votes.put(resp.from(), resp.granted());
    return execute(rules().tally(r.membership.quorum(), votes, preVote));
  }

  private Behavior<Command> execute(CampaignOutcome outcome) {
    return switch (outcome) {
      case WAIT -> Behaviors.same();
      case RUN_ELECTION -> r.becomeCandidate(false);
      case LEAD -> r.becomeLeader();
      case FOLLOW -> r.becomeFollower(Optional.empty());
    };
  }

  /**
   * A split vote or lost messages (Raft §5.2): campaign again, in a new term. A candidate is not
   * draining-patient: it became one only after the follower's patience ran out, or was told to.
   */
  private Behavior<Command> onElectionTimeout() {
    return r.onElectionTimeout(rules().onElectionTimeout(false, 0, r.settings.preVote()));
  }
}
