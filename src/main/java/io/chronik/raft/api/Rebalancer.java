package io.chronik.raft.api;

import akka.actor.typed.ActorSystem;
import io.chronik.raft.cluster.ClusterNode;
import io.chronik.raft.cluster.TopicCatalog;
import io.chronik.raft.replica.ClientProtocol;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Restores the replication factor when a node dies for good: once a node has been unreachable (or
 * gone from the Akka Cluster) for {@code chronik.rebalancer.dead-node-timeout}, its replicas are
 * replaced by new ones on the other nodes, as {@code chronik node remove --force} does (learner,
 * caught up, joint replace; each partition's leader refuses what would leave it without a live
 * majority). Only the node that leads the metadata group acts, so one node decides for the whole
 * cluster; another one takes over with that leadership. A node that comes back afterwards holds no
 * replica until {@code chronik node add}. The timeout is long (minutes) so that a restart or a
 * short network cut costs nothing but catching up; a node not yet seen alive since this node
 * started is given at least a minute more ({@link DeadNodeClock}), so a cluster whose nodes start
 * one after another does not replace the late ones.
 */
final class Rebalancer {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Rebalancer.class);
  private static final Duration TICK = Duration.ofSeconds(1);

  private final ChronikRaft chronik;
  private final Duration deadAfter;
  private final DeadNodeClock clock;
  private final AtomicBoolean busy = new AtomicBoolean();

  Rebalancer(ChronikRaft chronik, Duration deadAfter) {
    this.chronik = chronik;
    this.deadAfter = deadAfter;
    this.clock = new DeadNodeClock(deadAfter, System.nanoTime());
  }

  void start(ActorSystem<?> system) {
    if (deadAfter.isZero()) return;
    system.scheduler().scheduleWithFixedDelay(TICK, TICK, this::tick, system.executionContext());
  }

  private void tick() {
    if (!busy.compareAndSet(false, true)) return;
    try {
      ClusterNode node = chronik.node();
      Optional<String> due = clock.observe(System.nanoTime(), node.knownNodes(), node::reachable);
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
    long seconds = clock.downFor(dead, System.nanoTime()).toSeconds();
    LOG.warn("node {} has been unreachable for {} s{} (chronik.rebalancer.dead-node-timeout {}): replacing its "
        + "replicas on the other nodes", dead, seconds, clock.seen(dead) ? "" : ", not seen alive since this node started",
        deadAfter);
    return chronik.admin().remove(dead, true, step -> LOG.info("rebalancer, {}: {}", dead, step))
        .handle((done, error) -> {
          if (error == null) {
            clock.replaced(dead);
            LOG.warn("node {}'s replicas are replaced ({} move(s)); if it comes back it holds none until "
                + "`chronik node add {}`", dead, done.moves().size(), dead);
          } else {
            clock.retryAt(dead, System.nanoTime() + Math.min(deadAfter.toNanos(), Duration.ofSeconds(30).toNanos()));
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
