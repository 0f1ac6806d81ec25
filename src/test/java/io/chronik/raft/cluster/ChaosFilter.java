package io.chronik.raft.cluster;

import io.chronik.raft.replica.RaftMessage;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** The L2 fault layer: what the current fault plan does to each replica message between two nodes. */
public final class ChaosFilter implements MessageFilter {
  /** The faults in force now, shared by every node of the JVM's test cluster. */
  record Plan(Set<String> isolated, double drop, double duplicate, double delay) {
    static final Plan NONE = new Plan(Set.of(), 0, 0, 0);
  }

  static volatile Plan plan = Plan.NONE;

  public ChaosFilter(String nodeId) {}

  @Override
  public Decision decide(String fromNode, String toNode, RaftMessage message) {
    Plan p = plan;
    if (p.isolated().contains(fromNode) != p.isolated().contains(toNode)) return new Drop();
    ThreadLocalRandom r = ThreadLocalRandom.current();
    if (r.nextDouble() < p.drop()) return new Drop();
    if (r.nextDouble() < p.duplicate()) return new Duplicate();
    if (r.nextDouble() < p.delay()) return new Delay(Duration.ofMillis(1 + r.nextInt(80)));
    return new Deliver();
  }
}
