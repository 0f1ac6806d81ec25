package io.chronik.raft.core;

/**
 * A change of a group's members that an operator (or the leader itself, {@link LeaveJoint}) asks
 * for, named by its end state, so that a retry after an unknown outcome finds it done or asks for
 * it again. {@link MembershipRules#propose} decides whether and how it is made.
 */
public sealed interface ChangeRequest {

  /** A new member on {@code node}'s {@code store} that is replicated to and never counted. */
  record AddLearner(String node, String store) implements ChangeRequest {}

  /** {@code member} is no member any more: a learner at once, a voter through a joint configuration. */
  record Remove(String member) implements ChangeRequest {}

  /** Learner {@code learner} becomes a voter, through a joint configuration. */
  record Promote(String learner) implements ChangeRequest {}

  /** Learner {@code learner} takes voter {@code voter}'s place, in one joint configuration. */
  record Replace(String learner, String voter) implements ChangeRequest {}

  /** The joint configuration's second step: the incoming voters alone. */
  record LeaveJoint() implements ChangeRequest {}
}
