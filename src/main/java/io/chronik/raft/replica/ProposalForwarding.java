package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.chronik.raft.replica.ClientProtocol.NotLeader;
import io.chronik.raft.replica.ClientProtocol.OutcomeUnknown;
import io.chronik.raft.replica.ClientProtocol.ProposalRejected;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A follower's writes in flight at the leader: proposals it forwarded and whose answer it relays.
 * Each ends in exactly one reply: the leader's answer, or {@link OutcomeUnknown} when no answer
 * came within {@code proposal-timeout}, or within one heartbeat interval after the leader it was
 * sent to stopped being this replica's leader (a new term, another leader, an
 * election). So a client whose write went to a leader that died learns it within about an
 * election timeout, not after its own deadline; and a leader that handed over leadership
 * (which answers every write it accepted before it lets the new leader campaign) still gets its
 * answers through, although the new term may reach this follower first.
 *
 * <p>Ids start at a random value in each replica incarnation, and an answer counts only from the
 * leader the proposal was sent to: a late answer meant for an earlier incarnation cannot be taken
 * for the answer to another write.
 */
final class ProposalForwarding {
  /** A forwarded proposal got no answer in time (private timer message). */
  record ForwardTimedOut(long id) implements Command {}

  /** The grace after a leader change is over for the writes sent to that leader (private timer message). */
  record OrphansTimedOut(long generation) implements Command {}

  static final Object ORPHANS_TIMER = "forwarded-orphans";

  private record TimerKey(long id) {}

  private record InFlight(ActorRef<ProposeReply> replyTo, String leader) {}

  private final Replica r;
  private final Map<Long, InFlight> inFlight = new HashMap<>();
  /** Writes whose leader is no longer this replica's leader: they wait a little for its answer. */
  private final Map<Long, String> orphans = new HashMap<>();
  private long orphanGeneration;
  private long nextId;

  ProposalForwarding(Replica replica, long firstId) {
    this.r = replica;
    this.nextId = firstId;
  }

  /** Hands {@code p} to {@code leader}, the leader of the current term this replica hears from. */
  void forward(Propose p, String leader) {
    long id = nextId++;
    inFlight.put(id, new InFlight(p.replyTo(), leader));
    r.timers.startSingleTimer(new TimerKey(id), new ForwardTimedOut(id), r.settings.proposalTimeout());
    r.send(leader, new ForwardedPropose(r.members.groupId(), r.term, r.members.self(), id, p.command()));
  }

  void onResult(ForwardedProposeResult res) {
    InFlight f = inFlight.get(res.proposalId());
    if (f == null || !r.settings.rules().forwarding().answerCounts(f.leader, res.from())) {
      return; // already ended, or not the answer to ours
    }
    inFlight.remove(res.proposalId());
    orphans.remove(res.proposalId());
    r.timers.cancel(new TimerKey(res.proposalId()));
    f.replyTo.tell(switch (res.outcome()) {
      case COMMITTED -> new Proposed(res.index(), res.result(), res.from());
      case NOT_LEADER -> new NotLeader(r.members.groupId(), Optional.empty());
      case REJECTED -> new ProposalRejected(res.reason());
      case UNKNOWN -> new OutcomeUnknown(res.reason());
    });
  }

  Behavior<Command> onTimedOut(ForwardTimedOut t) {
    orphans.remove(t.id());
    InFlight f = inFlight.remove(t.id());
    if (f != null) {
      f.replyTo.tell(new OutcomeUnknown("no answer from leader " + f.leader + " within "
          + r.settings.proposalTimeout() + "; the write may or may not have been applied"));
    }
    return Behaviors.same();
  }

  /**
   * The leader these writes went to is no longer this replica's leader: they wait a grace
   * ({@link io.chronik.raft.core.ForwardingRules#orphanGrace}) for its answer; then their fate is
   * unknown.
   */
  void onLeaderChange(String why) {
    if (inFlight.isEmpty()) return;
    boolean fresh = false;
    for (long id : inFlight.keySet()) fresh |= orphans.putIfAbsent(id, why) == null;
    if (fresh) {
      orphanGeneration++;
      r.timers.startSingleTimer(ORPHANS_TIMER, new OrphansTimedOut(orphanGeneration),
          r.settings.rules().forwarding().orphanGrace(r.settings.heartbeatInterval()));
    }
  }

  Behavior<Command> onOrphansTimedOut(OrphansTimedOut t) {
    if (t.generation() != orphanGeneration) return Behaviors.same();
    for (Map.Entry<Long, String> o : new ArrayList<>(orphans.entrySet())) {
      InFlight f = inFlight.remove(o.getKey());
      if (f == null) continue;
      r.timers.cancel(new TimerKey(o.getKey()));
      f.replyTo.tell(new OutcomeUnknown(o.getValue() + " while a write forwarded to " + f.leader
          + " was in flight; it may or may not have been applied"));
    }
    orphans.clear();
    return Behaviors.same();
  }

  /** Storage failed: this incarnation's promises end now. */
  void failAll(String why) {
    for (long id : new ArrayList<>(inFlight.keySet())) {
      InFlight f = inFlight.remove(id);
      r.timers.cancel(new TimerKey(id));
      f.replyTo.tell(new OutcomeUnknown(why + " while a write forwarded to " + f.leader
          + " was in flight; it may or may not have been applied"));
    }
    orphans.clear();
  }

  int size() {
    return inFlight.size();
  }

  /** The leader's answer to a forwarded proposal, in wire form. */
  static ForwardedProposeResult result(String groupId, long term, String from, long proposalId, ProposeReply reply) {
    if (reply instanceof Proposed p) {
      return new ForwardedProposeResult(groupId, term, from, proposalId, ForwardedProposeResult.Outcome.COMMITTED,
          p.index(), p.result(), "");
    }
    if (reply instanceof ProposalRejected rj) {
      return new ForwardedProposeResult(groupId, term, from, proposalId, ForwardedProposeResult.Outcome.REJECTED, 0,
          com.google.protobuf.ByteString.EMPTY, rj.reason());
    }
    if (reply instanceof OutcomeUnknown u) {
      return new ForwardedProposeResult(groupId, term, from, proposalId, ForwardedProposeResult.Outcome.UNKNOWN, 0,
          com.google.protobuf.ByteString.EMPTY, u.reason());
    }
    return new ForwardedProposeResult(groupId, term, from, proposalId, ForwardedProposeResult.Outcome.NOT_LEADER, 0,
        com.google.protobuf.ByteString.EMPTY, "");
  }
}
