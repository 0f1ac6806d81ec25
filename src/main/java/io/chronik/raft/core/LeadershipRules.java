package io.chronik.raft.core;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keeping and handing over leadership: CheckQuorum (a leader that has not heard from a majority
 * within an election timeout steps down), the leader's heartbeat round, leadership transfer
 * (thesis §3.10: when the target is caught up, TimeoutNow; when the transfer gives up), draining a
 * stopping node, and leader balancing (handing over to the preferred leader).
 *
 * <p>The leader's view of each follower comes in as its {@link Progress}, read only: these rules
 * decide, the leader role updates the progress and sends.
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 */
public class LeadershipRules {

  /**
   * The outcome of one CheckQuorum period: the voters heard from during it (the leader itself
   * counted) and whether the leader steps down.
   */
  public record QuorumCheck(Set<String> active, boolean stepDown) {
    public QuorumCheck {
      active = Set.copyOf(active);
    }
  }

  /**
   * CheckQuorum (thesis §6.2, §4.2.3): a leader that has not heard from a majority of the voters
   * (itself counted) since the last check steps down, so that a leader cut off from the majority
   * stops serving reads on a lease and stops accepting writes that cannot commit. A follower
   * counts as heard from if it answered anything in this period ({@link Progress#recentActive}).
   * With CheckQuorum off ({@code enabled} false) the leader never steps down on its own; the
   * period still ages the followers' activity, which hand-overs rely on.
   */
  public QuorumCheck checkQuorum(String self, Map<String, Progress> followers, Quorum quorum, boolean enabled) {
    Set<String> active = new LinkedHashSet<>();
    active.add(self);
    for (Map.Entry<String, Progress> e : followers.entrySet()) {
      if (e.getValue().recentActive()) active.add(e.getKey());
    }
    return new QuorumCheck(active, enabled && !quorum.isMajority(active));
  }

  /** What the leader sends a follower at a heartbeat tick. */
  public enum Beat {
    /** A snapshot is being sent: the last chunk or its answer may be lost, send it again. */
    RESEND_SNAPSHOT_CHUNK,
    /** The follower is probed: the last probe or its answer may be lost, probe again. */
    PROBE_AGAIN,
    /** An empty AppendEntries: keeps the leader's authority (Raft §5.2) and carries the commit index. */
    HEARTBEAT
  }

  /**
   * Raft §5.2: a leader sends periodic heartbeats (empty AppendEntries) to keep its authority.
   * A follower in the middle of a snapshot transfer gets the current chunk again instead (its log
   * cannot check an AppendEntries yet), and a follower being probed gets the probe again, since
   * the probe that is outstanding may be lost and nothing else would be sent to it.
   */
  public Beat heartbeat(Progress follower) {
    if (follower.snapshotting()) return Beat.RESEND_SNAPSHOT_CHUNK;
    if (follower.probing()) return Beat.PROBE_AGAIN;
    return Beat.HEARTBEAT;
  }

  /**
   * Thesis §3.10: while leadership is being handed over the leader accepts no new proposals, so
   * that the target can catch up with a log that no longer grows. A refused proposal never
   * entered the log: its client retries and reaches the new leader.
   */
  public boolean acceptsProposals(boolean transferring) {
    return !transferring;
  }

  /**
   * Whether a leadership transfer to a follower whose progress is {@code target} (null: not a
   * follower of this leader, e.g. the leader itself or a non-voter) may start: one transfer at a
   * time, and never to a replica whose node is stopping, which would not take over.
   */
  public boolean canTransferTo(boolean transferring, Progress target) {
    return !transferring && target != null && !target.draining();
  }

  /**
   * Thesis §3.10: a transfer that has not completed within an election timeout is abandoned (the
   * target is unreachable or lost the election), and the leader resumes accepting proposals.
   */
  public Duration transferTimeout(Duration electionTimeout) {
    return electionTimeout;
  }

  /**
   * Thesis §3.10: the leader sends TimeoutNow once, when the target's log holds the leader's
   * whole log ({@code targetMatch >= lastIndex}), so that the target is up to date and wins the
   * election; and, in this implementation, once every entry it accepted is committed, so that
   * every write it accepted has been answered before the new leader's term starts.
   */
  public boolean sendTimeoutNow(boolean alreadySent, long lastIndex, long commitIndex, long targetMatch) {
    return !alreadySent && commitIndex >= lastIndex && targetMatch >= lastIndex;
  }

  /**
   * What a leader whose node is stopping does: hand leadership to {@code handTo}, if no transfer is
   * under way and a follower can take over; and whether it is worth waiting for the hand-over
   * ({@code keepWaiting}).
   */
  public record Drain(Optional<String> handTo, boolean keepWaiting) {}

  /**
   * Draining (thesis §3.10 applied to a node that stops): hand leadership to the follower that
   * holds the most of the log (highest match index; the first in order on a tie) among those
   * recently heard from and not stopping themselves — the others would not take over. Worth
   * waiting while a hand-over is under way, or while some follower is not stopping (it may
   * answer soon and take over; a leader of a fresh term has heard from nobody yet). Asked again on
   * every answer from a follower until a hand-over starts.
   */
  public Drain drain(boolean transferring, Map<String, Progress> followers) {
    Optional<String> handTo = Optional.empty();
    if (!transferring) {
      long best = -1;
      for (Map.Entry<String, Progress> e : followers.entrySet()) {
        Progress p = e.getValue();
        if (p.active() && !p.draining() && p.match() > best) {
          best = p.match();
          handTo = Optional.of(e.getKey());
        }
      }
    }
    boolean someoneStays = followers.values().stream().anyMatch(p -> !p.draining());
    return new Drain(handTo, transferring || handTo.isPresent() || someoneStays);
  }

  /**
   * Leader balancing: placement names a preferred leader per group so that leaders spread over the
   * nodes. At a balance tick the leader hands over to it once it is recently heard from, not
   * stopping, past probing, and holds everything committed — so the hand-over is quick. Never
   * while this node is draining or another transfer is under way.
   */
  public Optional<String> balanceTo(Optional<String> preferred, boolean draining, boolean transferring,
      Map<String, Progress> followers, long commitIndex) {
    if (draining || transferring || preferred.isEmpty()) return Optional.empty();
    Progress p = followers.get(preferred.get());
    if (p == null || !p.active() || p.draining() || p.probing() || p.match() < commitIndex) return Optional.empty();
    return preferred;
  }
}
