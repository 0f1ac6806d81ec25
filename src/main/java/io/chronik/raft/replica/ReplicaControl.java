package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;

/** Operations on a replica from its own node (not from clients, not from peers). */
public final class ReplicaControl {
  private ReplicaControl() {}

  /**
   * The node is about to stop: lead nothing. A leader hands its leadership to its most caught-up
   * follower (thesis §3.10); a draining replica ignores {@link TimeoutNow} and lets the others
   * elect a leader first.
   * Answered at once; repeat while the answer says a hand-over is under way.
   */
  public record Drain(ActorRef<DrainStatus> replyTo) implements Command {}

  /**
   * {@code handingOver}: this replica leads and is handing over to a follower that can take over;
   * a leader with no such follower (all stopping or silent) says false: waiting would not help.
   */
  public record DrainStatus(String groupId, boolean leader, boolean handingOver) {}

  /** Asks a leader to hand leadership to {@code target} (ignored by non-leaders and for non-voters). */
  public record TransferLeadership(String target) implements Command {}
}
