package io.chronik.raft.api;

import akka.actor.typed.ActorSystem;
import io.chronik.raft.cluster.ClusterNode;
import io.chronik.raft.cluster.LeaderSpread;
import io.chronik.raft.cluster.ReplicaMover;
import io.chronik.raft.cluster.TopicCatalog;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.replica.ReplicaControl;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Spreads the leaderships of partitions whose voters changed (moves, replacements) over the nodes,
 * so that every node leads within one of every other ({@link LeaderSpread}); partitions that keep
 * placement's voters are left to their preferred leaders. Only the node that leads the metadata
 * group acts, every {@code chronik.raft.leader-balance-delay}, and never while this node carries
 * out a membership operation (its moves would chase the leaders). Off with {@code
 * chronik.raft.leader-balancing}.
 */
final class LeaderBalancer {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LeaderBalancer.class);

  private final ChronikRaft chronik;
  private final Duration interval;
  private final AtomicBoolean busy = new AtomicBoolean();
  /** Status asks block: on a thread of their own, never on the actor system's. */
  private final ExecutorService looks = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "chronik-leader-balancer");
    t.setDaemon(true);
    return t;
  });

  LeaderBalancer(ChronikRaft chronik, Duration interval) {
    this.chronik = chronik;
    this.interval = interval;
  }

  void start(ActorSystem<?> system, boolean enabled) {
    system.getWhenTerminated().thenRun(looks::shutdownNow);
    if (!enabled) return;
    system.scheduler().scheduleWithFixedDelay(interval, interval, this::tick, system.executionContext());
  }

  private void tick() {
    ClusterNode node = chronik.node();
    if (chronik.admin().busy() || !node.hostsReplicaOf(TopicCatalog.GROUP) || !busy.compareAndSet(false, true)) return;
    try {
      Rebalancer.leadsMetadata(node)
          .thenComposeAsync(leads -> leads ? CompletableFuture.runAsync(this::balance, looks)
              : CompletableFuture.completedFuture(null), looks)
          .whenComplete((v, e) -> {
            busy.set(false);
            if (e != null) LOG.warn("the leader balancer's look failed: {}", ChronikRaft.unwrap(e).toString());
          });
    } catch (RuntimeException e) { // thrown before any stage ran (the executor shut down: the node is stopping)
      busy.set(false);
      LOG.warn("the leader balancer's look failed: {}", e.toString());
    }
  }

  private void balance() {
    ClusterNode node = chronik.node();
    Map<String, ReplicaMover.GroupView> views = chronik.mover().views();
    Map<String, LeaderSpread.Group> groups = new TreeMap<>();
    views.forEach((id, v) -> v.config().ifPresent(c -> {
      Map<String, String> voters = new TreeMap<>();
      for (String m : c.voters()) voters.put(Configuration.nodeOf(m), m);
      boolean changing = !v.committed() || c.joint() || !c.learners().isEmpty();
      groups.put(id, new LeaderSpread.Group(v.leader(), voters, node.preferredLeader(id, v.config()), changing));
    }));
    Set<String> live = new HashSet<>();
    for (String n : node.knownNodes()) if (node.reachable(n)) live.add(n);
    List<LeaderSpread.Transfer> plan = LeaderSpread.plan(groups, live);
    if (plan.isEmpty() || chronik.admin().busy()) return;
    LOG.info("leader balancer: {} hand-over(s) so that every node leads within one of the others: {}",
        plan.size(), plan);
    for (LeaderSpread.Transfer t : plan) {
      node.tell(t.group(), t.fromMember(), new ReplicaControl.TransferLeadership(t.toMember()));
    }
  }
}
