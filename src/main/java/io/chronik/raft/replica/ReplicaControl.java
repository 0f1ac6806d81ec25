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

  /**
   * Asks the leader to change the group's members (thesis ch. 4), as {@link
   * io.chronik.raft.core.MembershipRules#propose} decides. Answered once: {@link ConfigChanged}
   * when the configuration entry is committed (or the configuration already was what the request
   * names), {@link ConfigChangeRefused} with what to do, {@link ConfigChangeNotLeader} from a
   * replica that does not lead, {@link ConfigChangeUnknown} when leadership changed before the
   * entry committed (it may still: ask again, a request names its end state).
   */
  public record ChangeConfig(io.chronik.raft.core.ChangeRequest request, ActorRef<ChangeConfigReply> replyTo)
      implements Command {}

  public sealed interface ChangeConfigReply {}

  /** {@code config}, of entry {@code index}, is committed. */
  public record ConfigChanged(String groupId, io.chronik.raft.core.Configuration config, long index)
      implements ChangeConfigReply {}

  /** Nothing was appended; {@code leaderHint}: where leadership is being handed to, when that is the answer. */
  public record ConfigChangeRefused(String groupId, io.chronik.raft.core.MembershipRules.Refusal refusal,
      String message, java.util.Optional<String> leaderHint) implements ChangeConfigReply {}

  public record ConfigChangeNotLeader(String groupId, java.util.Optional<String> leaderHint)
      implements ChangeConfigReply {}

  public record ConfigChangeUnknown(String groupId, String reason) implements ChangeConfigReply {}

  /**
   * The node offers the configuration its files imply for this group, with the store each voter's
   * node said it runs on: a leader whose log holds no configuration yet records it (see {@link
   * io.chronik.raft.core.MembershipRules#recordFilesConfiguration}); from then on the log, not the
   * files, says who the voters are. Everyone else ignores it. Offered again until recorded.
   */
  public record RecordFilesConfiguration(io.chronik.raft.core.Configuration offered) implements Command {}
}
