package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.chronik.raft.core.ChangeRequest;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.core.MembershipRules;
import io.chronik.raft.core.Progress;
import io.chronik.raft.rpc.EntryKind;
import io.chronik.raft.rpc.LogEntry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A leader changing its group's members (thesis ch. 4), as {@link MembershipRules} decides: it
 * answers change requests, appends configuration entries (in force at once), follows a
 * configuration change in its progress map, transfer and read rounds, leaves a joint
 * configuration once it is committed, and hands leadership over before its own removal.
 */
final class LeaderMembership {
  private final LeaderRole leader;
  private final Replica r;

  LeaderMembership(LeaderRole leader, Replica replica) {
    this.leader = leader;
    this.r = replica;
  }


  /**
   * Who leadership may be handed to: the incoming voters (etcd ignores a transfer to a learner; an
   * outgoing-only voter is on its way out).
   */
  Map<String, Progress> transferCandidates() {
    Map<String, Progress> voters = new LinkedHashMap<>();
    Set<String> incoming = r.membership.config().map(c -> c.voters()).orElse(Set.of());
    leader.progress().forEach((id, p) -> {
      if (incoming.contains(id)) voters.put(id, p);
    });
    return voters;
  }

  private MembershipRules membership() {
    return r.settings.rules().membership();
  }

  /** How far behind the commit index a learner may be and still be promoted: one AppendEntries' worth. */
  private long learnerMaxLag() {
    return r.settings.maxAppendEntries();
  }

  Behavior<Command> onChangeConfig(ReplicaControl.ChangeConfig c) {
    Configuration cur = r.membership.config().orElseThrow();
    MembershipRules.Decision decision = membership().propose(
        new MembershipRules.LeaderState(r.members.self(), cur, r.raftLog.configIndex(),
            r.commitIndex, leader.termCommitted(), Map.copyOf(leader.progress())), c.request(), learnerMaxLag());
    String group = r.members.groupId();
    if (decision instanceof MembershipRules.Accept accept) {
      if (leader.transferTarget().isPresent()) {
        c.replyTo().tell(new ReplicaControl.ConfigChangeNotLeader(group, leader.transferTarget()));
      } else {
        appendConfig(accept.next(), c.replyTo());
      }
    } else if (decision instanceof MembershipRules.AlreadyDone) {
      c.replyTo().tell(new ReplicaControl.ConfigChanged(group, cur, r.raftLog.configIndex()));
    } else {
      MembershipRules.Refuse refuse = (MembershipRules.Refuse) decision;
      // Only the refusal to remove the leader itself (FAILED_PRECONDITION for such a request) hands
      // over: another refusal (a change in flight, no such learner) would cost an election for nothing.
      Optional<String> handTo = removesSelf(c.request())
          && refuse.refusal() == MembershipRules.Refusal.FAILED_PRECONDITION
          ? membership().handOverBeforeRemoval(cur, r.members.self(), leader.progress(), r.commitIndex, learnerMaxLag())
          : Optional.empty();
      handTo.ifPresent(leader::transferTo);
      r.log.info("group {}: {} refuses {}: {}", group, r.members.self(), c.request(), refuse.message());
      c.replyTo().tell(new ReplicaControl.ConfigChangeRefused(group, refuse.refusal(), refuse.message(), handTo));
    }
    return Behaviors.same();
  }

  Behavior<Command> onRecordFilesConfiguration(ReplicaControl.RecordFilesConfiguration m) {
    if (leader.transferTarget().isEmpty() && membership().recordFilesConfiguration(r.raftLog,
        r.members.filesConfiguration(), m.offered(), leader.termCommitted())) {
      r.log.info("group {}: {} records the configuration files' voters in the log: {}; from now on the log says who "
          + "the voters are", r.members.groupId(), r.members.self(), m.offered());
      appendConfig(m.offered(), null);
    }
    return Behaviors.same();
  }

  private boolean removesSelf(ChangeRequest request) {
    String self = r.members.self();
    return request instanceof ChangeRequest.Remove rm && rm.member().equals(self)
        || request instanceof ChangeRequest.Replace rp && rp.voter().equals(self);
  }

  /**
   * Appends {@code next} as a configuration entry: in force here at once (thesis §4.1), so {@link
   * #onConfigChanged} has run when this returns; {@code replyTo} is answered when it commits.
   */
  private void appendConfig(Configuration next,
      ActorRef<ReplicaControl.ChangeConfigReply> replyTo) {
    String group = r.members.groupId();
    LogEntry entry = r.appendNew(next.toProto().toByteString(), EntryKind.ENTRY_KIND_CONFIG);
    r.log.info("group {}: {} appends configuration {} at {}", group, r.members.self(), next, entry.getIndex());
    r.proposals.add(entry.getIndex(), entry.getTerm(), reply -> {
      if (replyTo == null) return;
      replyTo.tell(reply instanceof ClientProtocol.Proposed p
          ? new ReplicaControl.ConfigChanged(group, next, p.index())
          : new ReplicaControl.ConfigChangeUnknown(group, "leadership changed before configuration entry "
              + entry.getIndex() + " committed; it may still: ask again"));
    }, System.nanoTime());
    leader.sendAppendToAll();
  }

  /**
   * The configuration in force changed in this leader's log: replicate to the members it adds,
   * stop replicating to the ones it removes, count on its majorities from now on (commit and read
   * rounds), and abandon a transfer to a member no longer an incoming voter (etcd {@code switchToConfig}).
   */
  void onConfigChanged(Optional<Configuration> after) {
    Map<String, Progress> progress = leader.progress();
    Set<String> targets = r.membership.replicationTargets();
    progress.keySet().removeIf(id -> !targets.contains(id));
    for (String id : targets) {
      if (progress.containsKey(id)) continue;
      Progress added = new Progress(r.raftLog.lastIndex(), r.settings.maxInflightAppends());
      added.markActive(); // etcd initProgress: a new member is not held against the check before it could answer
      progress.put(id, added);
    }
    Optional<String> target = leader.transferTarget();
    if (target.isPresent() && !transferCandidates().containsKey(target.get())) {
      r.log.info("group {}: abandoning the transfer to {}: it is no incoming voter of {}", r.members.groupId(),
          target.get(), after.orElse(null));
      leader.abortTransfer();
    }
    leader.countOn(r.membership.quorum());
  }

  /**
   * Once this leader's configuration is committed: leave a joint configuration (etcd {@code appliedTo}
   * AutoLeave), or, when this leader is no incoming voter of it, hand leadership to one that is.
   */
  void afterConfigCommitted() {
    Configuration cur = r.membership.config().orElseThrow();
    long configIndex = r.raftLog.configIndex();
    if (configIndex > r.commitIndex) return;
    if (membership().leaveJointDue(cur, configIndex, r.commitIndex, r.members.self(),
        leader.transferTarget().isPresent())) {
      appendConfig(cur.leaveJoint(), null);
    } else if (!cur.voters().contains(r.members.self()) && leader.transferTarget().isEmpty()) {
      membership().handOverBeforeRemoval(cur, r.members.self(), leader.progress(), r.commitIndex, learnerMaxLag())
          .ifPresent(leader::transferTo);
    }
  }

  /**
   * A leader that a committed configuration removed and that could not hand over steps down (etcd
   * {@code StepDownOnRemoval}); a voter of the group then takes over.
   */
  boolean removedForGood() {
    Configuration cur = r.membership.config().orElseThrow();
    return r.raftLog.configIndex() <= r.commitIndex && membership().stepDownOnRemoval(cur, r.members.self());
  }
}
