package io.chronik.raft.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Cluster;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import java.time.Duration;
import java.util.Set;

/**
 * Teaches the {@link PeerDirectory} where the other nodes' hosts are from Akka Cluster membership,
 * at start and then every {@code interval}. Membership only adds knowledge here: a node missing
 * from it (not joined yet, or blocked from joining while another member is unreachable) is still
 * learned from its own messages, and nothing waits for a member's status.
 */
final class MembershipWatcher {
  private MembershipWatcher() {}

  private enum Scan { INSTANCE }

  static Behavior<Object> create(PeerDirectory directory, Duration interval) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Cluster cluster = Cluster.get(ctx.getSystem().classicSystem());
      ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
      timers.startTimerWithFixedDelay(Scan.INSTANCE, Scan.INSTANCE, interval);
      scan(cluster, resolver, directory, ctx.getLog());
      return Behaviors.receive(Object.class)
          .onMessageEquals(Scan.INSTANCE, () -> {
            scan(cluster, resolver, directory, ctx.getLog());
            return Behaviors.same();
          })
          .build();
    }));
  }

  /**
   * A node not in the directory is learned from any member that carries its role. A known node is
   * moved to another address only by a reachable, live member (a node that came back elsewhere);
   * an unreachable old entry never overrides what the node's own messages taught.
   */
  private static void scan(Cluster cluster, ActorRefResolver resolver, PeerDirectory directory, org.slf4j.Logger log) {
    var state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    for (Member m : state.getMembers()) {
      if (m.status() == MemberStatus.down() || m.status() == MemberStatus.removed()
          || m.status() == MemberStatus.exiting()) {
        continue;
      }
      for (String role : m.getRoles()) {
        String node = NodeRole.nodeIdOf(role);
        if (node == null) continue;
        ActorRef<NodeHost.Message> host = resolver.resolveActorRef(m.address() + ClusterNode.HOST_PATH);
        boolean known = directory.knows(node);
        if (!known || (!unreachable.contains(m) && !directory.host(node).get().path().address().equals(m.address()))) {
          directory.learn(node, host);
          log.debug("membership: node {} is at {}", node, m.address());
        }
      }
    }
  }
}
