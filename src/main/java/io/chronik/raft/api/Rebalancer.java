package io.chronik.raft.api;

import akka.actor.typed.ActorSystem;
import io.chronik.raft.cluster.ClusterNode;
import io.chronik.raft.cluster.TopicCatalog;
import io.chronik.raft.replica.ClientProtocol;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Restores the replication factor when a node dies for good: once a node has been unreachable (or
 * gone from the Akka Cluster) for {@code chronik.rebalancer.dead-node-timeout}, its replicas are
 * replaced by new ones on the other nodes, as {@code chronik node remove --force} does (learner,
 * caught up, joint replace; each partition's leader refuses what would leave it without a live
 * majority). Only the node that leads the metadata group acts, so one node decides for the whole
 * cluster; another one takes over with that leadership. A node that comes back afterwards holds no
 * replica until {@code chronik node add}. The timeout is long (minutes) so that a restart or a
 * short network cut costs nothing but catching up.
 */
final class Rebalancer {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Rebalancer.class);
  private static final Duration TICK = Duration.ofSeconds(1);

  private final ChronikRaft chronik;
  private final Duration deadAfter;
  /** Since when (System.nanoTime) each node has been unreachable, as this node saw it. */
  private final Map<String, Long> downSince = new ConcurrentHashMap<>();
  /** Dead nodes whose replicas were all replaced; forgotten when they come back. */
  private final Set<String> replaced = ConcurrentHashMap.newKeySet();
  /** When a refused replacement may be tried again, per node. */
  private final Map<String, Long> retryAt = new ConcurrentHashMap<>();
  private final AtomicBoolean busy = new AtomicBoolean();

  Rebalancer(ChronikRaft chronik, Duration deadAfter) {
    this.chronik = chronik;
    this.deadAfter = deadAfter;
  }

  void start(ActorSystem<?> system) {
    if (deadAfter.isZero()) return;
    system.scheduler().scheduleWithFixedDelay(TICK, TICK, this::tick, system.executionContext());
  }

  private void tick() {
    if (!busy.compareAndSet(false, true)) return;
    try {
      ClusterNode node = chronik.node();
      long now = System.nanoTime();
      Set<String> down = new HashSet<>();
      for (String n : node.knownNodes()) if (!node.reachable(n)) down.add(n);
      downSince.keySet().retainAll(down);
      replaced.retainAll(down);
      retryAt.keySet().retainAll(down);
      for (String n : down) downSince.putIfAbsent(n, now);
      Optional<String> due = downSince.entrySet().stream()
          .filter(e -> now - e.getValue() >= deadAfter.toNanos() && !replaced.contains(e.getKey())
              && now >= retryAt.getOrDefault(e.getKey(), now))
          .map(Map.Entry::getKey).sorted().findFirst();
      if (due.isEmpty() || !node.hostsReplicaOf(TopicCatalog.GROUP)) {
        busy.set(false);
        return;
      }
      leadsMetadata(node).thenCompose(leads -> leads ? replace(due.get()) : CompletableFuture.completedFuture(null))
          .whenComplete((v, e) -> busy.set(false));
    } catch (RuntimeException e) {
      busy.set(false);
      LOG.warn("the rebalancer's check failed: {}", e.toString());
    }
  }

  private CompletableFuture<Void> replace(String dead) {
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - downSince.get(dead));
    LOG.warn("node {} has been unreachable for {} s (chronik.rebalancer.dead-node-timeout {}): replacing its replicas "
        + "on the other nodes", dead, seconds, deadAfter);
    return chronik.admin().remove(dead, true, step -> LOG.info("rebalancer, {}: {}", dead, step))
        .handle((done, error) -> {
          if (error == null) {
            replaced.add(dead);
            LOG.warn("node {}'s replicas are replaced ({} move(s)); if it comes back it holds none until "
                + "`chronik node add {}`", dead, done.moves().size(), dead);
          } else {
            retryAt.put(dead, System.nanoTime() + Math.min(deadAfter.toNanos(), Duration.ofSeconds(30).toNanos()));
            LOG.warn("replacing the replicas of dead node {} stopped: {}; trying again later",
                dead, ChronikRaft.unwrap(error).getMessage());
          }
          return null;
        });
  }

  /** Whether this node's replica of the metadata group leads it. */
  static CompletableFuture<Boolean> leadsMetadata(ClusterNode node) {
    return node.<ClientProtocol.StatusReply>ask(TopicCatalog.GROUP, node.nodeId(), ClientProtocol.GetStatus::new,
        Duration.ofSeconds(1)).toCompletableFuture()
        .handle((reply, error) -> reply instanceof ClientProtocol.Status s && s.role().equals("leader"));
  }
}
