package io.chronik.raft.cluster;

import io.chronik.raft.replica.ForwardedProposeResult;
import io.chronik.raft.replica.RaftMessage;
import java.util.concurrent.atomic.AtomicInteger;

/** Drops the next {@link #budget} results of committed writes a leader sends back to the follower that forwarded them. */
public final class DropProposeResults implements MessageFilter {
  static final AtomicInteger budget = new AtomicInteger();

  public DropProposeResults(String nodeId) {}

  @Override
  public Decision decide(String fromNode, String toNode, RaftMessage message) {
    if (message instanceof ForwardedProposeResult r && r.outcome() == ForwardedProposeResult.Outcome.COMMITTED
        && budget.getAndUpdate(b -> Math.max(0, b - 1)) > 0) {
      return new Drop();
    }
    return new Deliver();
  }
}
