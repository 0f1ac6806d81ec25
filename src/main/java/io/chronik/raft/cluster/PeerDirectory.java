package io.chronik.raft.cluster;

import akka.actor.typed.ActorRef;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each node's host actor is: the address book of the replica transport and of client
 * routing. Filled by {@link PeerDiscovery} (membership, and hellos to the seeds and known nodes)
 * and from every peer message received (it names its sender's host), so it needs no coordinator, singleton,
 * convergence or downing decision: a node that restarted, or that membership has not admitted
 * yet, is reachable as soon as either side has heard of the other. Entries are never removed; a
 * node that is down simply does not answer.
 */
public final class PeerDirectory {
  private final Map<String, ActorRef<NodeHost.Message>> hosts = new ConcurrentHashMap<>();
  private final Map<String, String> grpcAddresses = new ConcurrentHashMap<>();
  private final Map<String, String> stores = new ConcurrentHashMap<>();
  private final Map<String, String> filesHashes = new ConcurrentHashMap<>();
  private final Map<String, String> clusterIds = new ConcurrentHashMap<>();
  private final Map<String, String> kafkaAddresses = new ConcurrentHashMap<>();
  private final Map<String, String> racks = new ConcurrentHashMap<>();
  private final Map<String, String> peerAddresses = new ConcurrentHashMap<>();

  public Optional<ActorRef<NodeHost.Message>> host(String nodeId) {
    return Optional.ofNullable(hosts.get(nodeId));
  }

  /** Records where {@code nodeId}'s host is; returns whether that changed anything. */
  public boolean learn(String nodeId, ActorRef<NodeHost.Message> host) {
    ActorRef<NodeHost.Message> previous = hosts.put(nodeId, host);
    return !host.equals(previous);
  }

  /** Where {@code nodeId} serves its gRPC API ({@code host:port}), as its hellos say. */
  public void learnGrpcAddress(String nodeId, String address) {
    grpcAddresses.put(nodeId, address);
  }

  public Optional<String> grpcAddress(String nodeId) {
    return Optional.ofNullable(grpcAddresses.get(nodeId));
  }

  /**
   * Where {@code nodeId} takes replica messages on a gRPC stream ({@code host:port}), as its hellos
   * say; an empty address forgets it (the node restarted sending over Artery only).
   */
  public void learnPeerAddress(String nodeId, String address) {
    if (address.isEmpty()) peerAddresses.remove(nodeId);
    else peerAddresses.put(nodeId, address);
  }

  public Optional<String> peerAddress(String nodeId) {
    return Optional.ofNullable(peerAddresses.get(nodeId));
  }

  /** Where {@code nodeId} serves Kafka clients and its rack, as its hellos say (empty strings: not said). */
  public void learnKafka(String nodeId, String address, String rack) {
    if (!address.isEmpty()) kafkaAddresses.put(nodeId, address);
    if (!rack.isEmpty()) racks.put(nodeId, rack);
  }

  public Optional<String> kafkaAddress(String nodeId) {
    return Optional.ofNullable(kafkaAddresses.get(nodeId));
  }

  public Optional<String> rack(String nodeId) {
    return Optional.ofNullable(racks.get(nodeId));
  }

  /** What {@code nodeId}'s hellos say of its store and configuration files (empty strings: not said). */
  public void learnIdentity(String nodeId, String storeId, String filesHash) {
    if (!storeId.isEmpty()) stores.put(nodeId, storeId);
    if (!filesHash.isEmpty()) filesHashes.put(nodeId, filesHash);
  }

  /** The store (data directory id) {@code nodeId} said it runs on. */
  public Optional<String> store(String nodeId) {
    return Optional.ofNullable(stores.get(nodeId));
  }

  /** The digest of {@code nodeId}'s configuration files ({@code chronik.cluster.nodes}, {@code chronik.topics}). */
  public Optional<String> filesHash(String nodeId) {
    return Optional.ofNullable(filesHashes.get(nodeId));
  }

  /** The cluster {@code nodeId}'s data belongs to, as it said (ignored when empty: not learnt yet). */
  public void learnClusterId(String nodeId, String clusterId) {
    if (!clusterId.isEmpty()) clusterIds.put(nodeId, clusterId);
  }

  public Optional<String> clusterId(String nodeId) {
    return Optional.ofNullable(clusterIds.get(nodeId));
  }

  /** Whether node {@code other}'s data belongs to another cluster than node {@code self}'s (both known). */
  public boolean foreign(String self, String other) {
    String mine = clusterIds.get(self);
    String theirs = clusterIds.get(other);
    return mine != null && theirs != null && !mine.equals(theirs);
  }

  public boolean knows(String nodeId) {
    return hosts.containsKey(nodeId);
  }

  /** Every node learned so far. */
  public java.util.Set<String> nodes() {
    return java.util.Set.copyOf(hosts.keySet());
  }
}
