package io.chronik.raft.cluster;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.actor.Address;
import akka.cluster.Cluster;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardCoordinator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Allocates each replica's shard (one replica per shard) to the member that owns the replica's
 * node id, and never rebalances. A replica must only ever run where its durable state lives: on
 * any other node it would vote with an empty log. When the owner is not up, allocation fails and
 * the coordinator retries later; messages for that replica wait (or are dropped) meanwhile.
 */
public final class PlacementAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy {
  /** Marks the expected "owner not up yet" failure (see {@link AllocationRetryLogFilter}). */
  static final String WAITING = "waits for node";

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PlacementAllocationStrategy.class);
  private final Cluster cluster;
  private final java.util.Set<String> reportedWaiting = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public PlacementAllocationStrategy(ActorSystem system) {
    this.cluster = Cluster.get(system);
  }

  @Override
  public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
      Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
    String node = ReplicaId.parse(shardId).nodeId();
    Optional<Address> owner = ownerOf(node);
    if (owner.isPresent()) {
      for (ActorRef region : currentShardAllocations.keySet()) {
        if (addressOf(region).equals(owner.get())) return akka.dispatch.Futures.successful(region);
      }
    }
    if (reportedWaiting.add(node)) {
      log.info("replicas on node {} wait for it to join the cluster (role {}); allocation is retried", node,
          ReplicaId.nodeRole(node));
    }
    return akka.dispatch.Futures.failed(new IllegalStateException("replica " + shardId + " " + WAITING + " " + node
        + " (no cluster member with role " + ReplicaId.nodeRole(node) + " and a shard region is up)"));
  }

  @Override
  public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> currentShardAllocations,
      Set<String> rebalanceInProgress) {
    return akka.dispatch.Futures.successful(Set.<String>of()); // replicas never move: their data does not
  }

  private Optional<Address> ownerOf(String node) {
    String role = ReplicaId.nodeRole(node);
    for (Member m : cluster.state().getMembers()) {
      if (m.hasRole(role) && (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp())) {
        return Optional.of(m.address());
      }
    }
    return Optional.empty();
  }

  private Address addressOf(ActorRef region) {
    Address a = region.path().address();
    return a.hasLocalScope() ? cluster.selfAddress() : a;
  }
}
