package io.chronik.raft.core;

import io.chronik.raft.core.ChangeRequest.AddLearner;
import io.chronik.raft.core.ChangeRequest.LeaveJoint;
import io.chronik.raft.core.ChangeRequest.Promote;
import io.chronik.raft.core.ChangeRequest.Remove;
import io.chronik.raft.core.ChangeRequest.Replace;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Changing a group's members (thesis ch. 4): which change a leader accepts, when it leaves a joint
 * configuration, who may campaign, when a learner is caught up enough to vote, and what a leader
 * does before and after its own removal.
 *
 * <p>Every voter change goes through a joint configuration (thesis §4.3, etcd {@code ConfChangeV2},
 * CockroachDB's atomic replication changes): {@code new && old}, then {@code new} alone once the
 * joint entry is committed. A configuration is in force as soon as it is in a log (thesis §4.1),
 * so "a change is pending" is just "the latest configuration entry is not committed".
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 */
public class MembershipRules {

  /** Why a change is refused, as the admin API answers it; says whether to retry. */
  public enum Refusal {
    /** Not now (the leader's first commit of its term, a change in flight, a learner catching up): retry. */
    UNAVAILABLE,
    /** Not in this state of the group (the leader itself, no live majority afterwards): retry after it changes. */
    FAILED_PRECONDITION,
    /** The member named is not what the request needs it to be. */
    NOT_FOUND,
    /** The result would not be a valid configuration. */
    INVALID_ARGUMENT
  }

  /** What the leader does with a change request. */
  public sealed interface Decision {}

  /** Append {@code next} as a configuration entry. */
  public record Accept(Configuration next) implements Decision {}

  /** Append nothing and answer {@code refusal}. */
  public record Refuse(Refusal refusal, String message) implements Decision {}

  /** Append nothing: the configuration already is what the request names (a retry after success). */
  public record AlreadyDone(String message) implements Decision {}

  /**
   * What the leader knows when it decides on a change: its configuration in force and the index of
   * its entry, its commit index, whether it has committed an entry of its own term yet, and its
   * progress for each other member.
   */
  public record LeaderState(String self, Configuration config, long configIndex, long commitIndex,
      boolean committedInTerm, Map<String, Progress> followers) {}

  /**
   * The configuration in force: the latest in the log; {@code legacy} (the configuration files')
   * only when the log has none; empty for a replica that has neither (created to receive a
   * leader's log: it learns its configuration from it).
   */
  public Optional<Configuration> current(RaftLog log, Optional<Configuration> legacy) {
    return log.config().or(() -> legacy);
  }

  /**
   * Whether a leader records {@code offered}, the configuration the files imply with its voters'
   * stores, in its log: only while the log holds no configuration (a group of before
   * configurations were in the log, or a new one), once an entry of its term is committed (so no
   * configuration of an earlier leader can be pending), and only when {@code offered} names exactly
   * the voters it uses now, the files' ({@code files}), and nothing else: recording changes who is
   * asked nothing, it only makes the log the authority, and gives every member its store.
   */
  public boolean recordFilesConfiguration(RaftLog log, Optional<Configuration> files, Configuration offered,
      boolean committedInTerm) {
    return log.config().isEmpty() && committedInTerm && files.isPresent()
        && offered.voters().equals(files.get().voters()) && !offered.joint() && offered.learners().isEmpty();
  }

  /**
   * Decides on a change request, in this order (etcd {@code raft.Step} MsgProp and {@code confchange.Changer}):
   * <ol>
   * <li>Nothing before the leader has committed an entry of its term: its log may still hold an
   * uncommitted configuration of an earlier leader, and a change on top of that one could skip a
   * step (Ongaro's 2015 raft-dev note on the single-server change bug).
   * <li>One change at a time: nothing while the latest configuration is uncommitted, nothing but
   * leaving while it is joint.
   * <li>A result that is already the configuration is done; otherwise it must be valid (see
   * {@link Configuration}), and a learner only becomes a voter once {@link #caughtUp}.
   * <li>The leader never removes itself: it hands over first ({@link #handOverBeforeRemoval}).
   * <li>Strict check (etcd {@code --strict-reconfig-check}): after a voter change, the voters heard
   * from recently form a majority of each half, so that the change can commit.
   * </ol>
   */
  public Decision propose(LeaderState leader, ChangeRequest request, long maxLag) {
    Configuration cur = leader.config();
    if (!leader.committedInTerm()) {
      return new Refuse(Refusal.UNAVAILABLE, "the leader has not committed an entry of its term yet");
    }
    if (leader.configIndex() > leader.commitIndex()) {
      return new Refuse(Refusal.UNAVAILABLE, "the configuration of entry " + leader.configIndex()
          + " is not committed yet (commit index " + leader.commitIndex() + "): one change at a time");
    }
    if (request instanceof LeaveJoint) {
      if (!cur.joint()) return new Refuse(Refusal.FAILED_PRECONDITION, "the configuration is not joint: " + cur);
      if (!cur.voters().contains(leader.self())) return leaderRemoved(leader); // an outgoing-only leader
      return new Accept(cur.leaveJoint());
    }
    if (cur.joint()) {
      return new Refuse(Refusal.UNAVAILABLE, "the configuration must leave its joint state first: " + cur);
    }
    try {
      if (request instanceof AddLearner add) return addLearner(cur, add);
      if (request instanceof Remove remove) return remove(leader, remove.member());
      if (request instanceof Promote promote) return promote(leader, promote.learner(), maxLag);
      Replace replace = (Replace) request;
      return replace(leader, replace.learner(), replace.voter(), maxLag);
    } catch (IllegalArgumentException invalid) {
      return new Refuse(Refusal.INVALID_ARGUMENT, invalid.getMessage());
    }
  }

  private Decision addLearner(Configuration cur, AddLearner add) {
    for (String id : cur.members()) {
      if (!Configuration.nodeOf(id).equals(add.node()) || !cur.store(id).equals(add.store())) continue;
      if (cur.isLearner(id)) return new AlreadyDone(id + " is a learner on store " + add.store());
      return new Refuse(Refusal.FAILED_PRECONDITION, "store " + add.store() + " already holds voter " + id);
    }
    return new Accept(cur.withLearner(add.node(), add.store()));
  }

  private Decision remove(LeaderState leader, String member) {
    Configuration cur = leader.config();
    if (!cur.isMember(member)) return new AlreadyDone(member + " is no member");
    if (cur.isLearner(member)) return new Accept(cur.withoutLearner(member));
    if (member.equals(leader.self())) return leaderRemoved(leader);
    return strictlyChecked(leader, cur.enterJoint(Configuration.minus(cur.voters(), member), true));
  }

  private Decision promote(LeaderState leader, String learner, long maxLag) {
    Configuration cur = leader.config();
    if (cur.isVoter(learner)) return new AlreadyDone(learner + " is a voter");
    Optional<Refuse> notReady = notReadyToVote(leader, learner, maxLag);
    if (notReady.isPresent()) return notReady.get();
    return strictlyChecked(leader, cur.enterJoint(Configuration.plus(cur.voters(), learner), true));
  }

  private Decision replace(LeaderState leader, String learner, String voter, long maxLag) {
    Configuration cur = leader.config();
    if (cur.isVoter(learner) && !cur.isMember(voter)) {
      return new AlreadyDone(learner + " is a voter and " + voter + " no member");
    }
    if (!cur.voters().contains(voter)) return new Refuse(Refusal.NOT_FOUND, voter + " is not a voter of " + cur);
    Optional<Refuse> notReady = notReadyToVote(leader, learner, maxLag);
    if (notReady.isPresent()) return notReady.get();
    if (voter.equals(leader.self())) return leaderRemoved(leader);
    return strictlyChecked(leader, cur.enterJoint(Configuration.plus(Configuration.minus(cur.voters(), voter), learner), true));
  }

  private Optional<Refuse> notReadyToVote(LeaderState leader, String learner, long maxLag) {
    if (!leader.config().isLearner(learner)) {
      return Optional.of(new Refuse(Refusal.NOT_FOUND, learner + " is not a learner of " + leader.config()));
    }
    Progress p = leader.followers().get(learner);
    if (p == null || !caughtUp(p, leader.commitIndex(), maxLag)) {
      return Optional.of(new Refuse(Refusal.UNAVAILABLE, "learner " + learner + " is not caught up ("
          + (p == null ? "no progress" : "match " + p.match()) + ", commit index " + leader.commitIndex()
          + ", max lag " + maxLag + ")"));
    }
    return Optional.empty();
  }

  private static Refuse leaderRemoved(LeaderState leader) {
    return new Refuse(Refusal.FAILED_PRECONDITION, "the leader " + leader.self()
        + " does not remove itself: it hands leadership over first");
  }

  private Decision strictlyChecked(LeaderState leader, Configuration next) {
    Set<String> live = new TreeSet<>();
    live.add(leader.self());
    leader.followers().forEach((id, p) -> {
      if (p.active()) live.add(id);
    });
    if (!next.quorum().isMajority(live)) {
      return new Refuse(Refusal.FAILED_PRECONDITION, "the members heard from recently " + live
          + " are not a majority of each half of " + next + ": the change could not commit");
    }
    return new Accept(next);
  }

  /**
   * Whether the leader appends the joint configuration's second step now (etcd {@code appliedTo}
   * AutoLeave): once the joint entry is committed, when no leadership transfer runs (it would race
   * the new entry), and only by an incoming voter — an outgoing-only leader, elected during the
   * change, hands over to an incoming voter, which leaves.
   */
  public boolean leaveJointDue(Configuration cur, long configIndex, long commitIndex, String self,
      boolean transferring) {
    return cur.joint() && cur.autoLeave() && configIndex <= commitIndex && !transferring
        && cur.voters().contains(self);
  }

  /** Whether {@code self} may campaign (etcd {@code promotable}): only a voter; a learner or removed member never. */
  public boolean promotable(Configuration cur, String self) {
    return cur.isVoter(self);
  }

  /**
   * Whether a learner may become a voter (thesis §4.2.1: a new server catches up first, or the group
   * waits for it to commit): replicated to in the normal way, neither probed nor sent a snapshot,
   * and at most {@code maxLag} entries behind the commit index.
   */
  public boolean caughtUp(Progress learner, long commitIndex, long maxLag) {
    return !learner.probing() && !learner.snapshotting() && learner.match() >= commitIndex - maxLag;
  }

  /**
   * Whom a leader that is to be removed hands leadership to first (thesis §3.10, §4.2.2): the
   * caught-up incoming voter with the highest match (the lowest id among equals), or none yet.
   */
  public Optional<String> handOverBeforeRemoval(Configuration cur, String self, Map<String, Progress> followers,
      long commitIndex, long maxLag) {
    String best = null;
    long bestMatch = -1;
    for (String id : cur.voters()) { // sorted, so the first of equal matches is the lowest id
      Progress p = followers.get(id);
      if (id.equals(self) || p == null || !caughtUp(p, commitIndex, maxLag)) continue;
      if (p.match() > bestMatch) {
        best = id;
        bestMatch = p.match();
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Whether a leader leaves its role because {@code committed}, a committed configuration, no
   * longer counts it (etcd {@code StepDownOnRemoval}); it hands over first when it can.
   */
  public boolean stepDownOnRemoval(Configuration committed, String self) {
    return !committed.isVoter(self);
  }
}
