package io.chronik.raft.replica;

import io.chronik.raft.core.Configuration;
import io.chronik.raft.core.Quorum;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The configuration one replica uses (thesis §4.1: the latest in its log, committed or not; the
 * files' voters while the log holds none), and what follows from it: whose votes and
 * acknowledgements count ({@link #quorum}), whom a candidate asks and a leader replicates to,
 * whether this replica may campaign, which senders it hears, and which store a member's node must
 * be on for a message to reach it. {@link Replica} re-reads it whenever its log changes.
 */
final class Membership {
  private final Replica r;
  /** Empty while this replica knows no configuration (created to receive a leader's log). */
  private Optional<Configuration> config = Optional.empty();

  Membership(Replica replica) {
    this.r = replica;
  }

  Optional<Configuration> config() {
    return config;
  }

  /** The majority rule of the configuration in force; only a voter (a candidate or leader) asks. */
  Quorum quorum() {
    return config.orElseThrow(() -> new IllegalStateException("group " + r.members.groupId() + " replica "
        + r.members.self() + " knows no configuration")).quorum();
  }

  /** Whether this replica may campaign ({@link io.chronik.raft.core.MembershipRules#promotable}). */
  boolean promotable() {
    return config.isPresent() && r.settings.rules().membership().promotable(config.get(), r.members.self());
  }

  /** The voters of the configuration in force (both halves while joint) other than this replica. */
  SortedSet<String> otherVoters() {
    TreeSet<String> voters = new TreeSet<>();
    config.ifPresent(c -> {
      voters.addAll(c.voters());
      voters.addAll(c.outgoing());
    });
    voters.remove(r.members.self());
    return voters;
  }

  /** Whom this replica replicates to when it leads: every other member, learners included. */
  SortedSet<String> replicationTargets() {
    return config.map(c -> c.replicationTargets(r.members.self())).orElse(Collections.emptySortedSet());
  }

  /**
   * Whether a peer message is from a member this replica should hear: any member of its
   * configuration; and, from outside it, a leader's or candidate's (thesis §4.1: a server accepts
   * a newer configuration's leader before it knows that configuration, and votes without
   * consulting its own). A replica that knows no configuration yet hears everyone of its group.
   */
  boolean acceptsFrom(RaftMessage m) {
    if (m.from().equals(r.members.self())) return false;
    if (config.isEmpty() || config.get().isMember(m.from())) return true;
    return m instanceof AppendEntries || m instanceof InstallSnapshot || m instanceof RequestVote;
  }

  /**
   * The store the replicated configuration names for {@code member}, which its node checks; empty
   * when there is none to check (the files' configuration names no stores, or {@code member} is
   * not in it: an answer to a sender from outside the configuration).
   */
  String storeOf(String member) {
    if (r.raftLog == null || r.raftLog.config().isEmpty()) return "";
    Configuration c = r.raftLog.config().get();
    return c.isMember(member) ? c.store(member) : "";
  }

  /** Re-reads the configuration in force from the log; returns the one before when it changed. */
  Optional<Optional<Configuration>> reread() {
    Optional<Configuration> now = r.settings.rules().membership().current(r.raftLog, r.members.filesConfiguration());
    if (now.equals(config)) return Optional.empty();
    Optional<Configuration> before = config;
    config = now;
    // The leader logs each configuration it appends; every replica saying so too is noise at INFO.
    r.log.debug("group {} replica {}: configuration {} (entry {})", r.members.groupId(), r.members.self(),
        now.map(Object::toString).orElse("unknown"), r.raftLog.configIndex());
    return Optional.of(before);
  }

  /** Says so when the files place other voters than the replicated configuration (which is followed). */
  void warnIfFilesDiffer() {
    r.raftLog.config().filter(c -> !r.members.voters().isEmpty() && !c.voters().equals(r.members.voters()))
        .ifPresent(c -> r.log.warn("group {} replica {}: the configuration files place its voters on {}, but its "
            + "replicated configuration (entry {}) is {}; following the log: the files only bootstrap a new cluster, "
            + "members change with chronik node add / remove", r.members.groupId(), r.members.self(),
            r.members.voters(), r.raftLog.configIndex(), c));
  }
}
