package io.chronik.raft.cluster;

import akka.actor.ActorSelection;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Cluster;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps the {@link PeerDirectory} filled without depending on membership decisions. Every
 * {@code interval} it
 * <ul>
 *   <li>learns nodes from Akka Cluster membership (any member carrying a {@link NodeRole}), and
 *   <li>sends a {@link NodeHost.Hello} naming this node and its host to the host path of every
 *       known node and every seed address, by actor <em>selection</em>.
 * </ul>
 * The hellos are what make a restarted node reachable at once. Its peers may still hold an
 * Artery association to its previous incarnation, which Akka quarantines when that incarnation is
 * removed from the cluster; messages sent by actor reference are then dropped until the new
 * incarnation is admitted, which waits for membership convergence (seconds, or indefinitely while
 * another member is unreachable). A selection passes through such a quarantine by design and
 * makes both sides handshake with the new incarnation; a hello received also teaches its receiver
 * where the sender is, so nodes find each other from the seed list alone.
 */
final class PeerDiscovery {
  private PeerDiscovery() {}

  private enum Tick { INSTANCE }

  static Behavior<Object> create(String selfNode, ActorRef<NodeHost.Message> selfHost, PeerDirectory directory,
      List<String> seedAddresses, Duration interval) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Cluster cluster = Cluster.get(ctx.getSystem().classicSystem());
      ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
      Runnable round = () -> {
        NodeHost.Hello hello = NodeHost.Hello.of(selfNode, selfHost, directory);
        learnFromMembership(selfNode, cluster, resolver, directory, ctx.getLog());
        Set<String> addresses = new LinkedHashSet<>(seedAddresses);
        for (String node : directory.nodes()) {
          if (!node.equals(selfNode)) directory.host(node).ifPresent(h -> addresses.add(h.path().address().toString()));
        }
        addresses.remove(cluster.selfAddress().toString());
        for (String address : addresses) {
          ActorSelection host = ctx.getSystem().classicSystem().actorSelection(address + ClusterNode.HOST_PATH);
          host.tell(hello, akka.actor.ActorRef.noSender());
        }
      };
      timers.startTimerWithFixedDelay(Tick.INSTANCE, Tick.INSTANCE, interval);
      round.run();
      return Behaviors.receive(Object.class)
          .onMessageEquals(Tick.INSTANCE, () -> {
            round.run();
            return Behaviors.same();
          })
          .build();
    }));
  }

  /**
   * A node not in the directory is learned from any live member that carries its role. A known
   * node is moved to another address only by a reachable member (a node that came back
   * elsewhere); an unreachable old entry never overrides what the node's own messages taught.
   */
  private static void learnFromMembership(String selfNode, Cluster cluster, ActorRefResolver resolver,
      PeerDirectory directory, org.slf4j.Logger log) {
    var state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    for (Member m : state.getMembers()) {
      if (m.status() == MemberStatus.down() || m.status() == MemberStatus.removed()
          || m.status() == MemberStatus.exiting()) {
        continue;
      }
      for (String role : m.getRoles()) {
        String node = NodeRole.nodeIdOf(role);
        if (node == null || node.equals(selfNode)) continue;
        boolean known = directory.knows(node);
        if (!known || (!unreachable.contains(m) && !directory.host(node).get().path().address().equals(m.address()))) {
          directory.learn(node, resolver.resolveActorRef(m.address() + ClusterNode.HOST_PATH));
          log.debug("membership: node {} is at {}", node, m.address());
        }
      }
    }
  }
}
