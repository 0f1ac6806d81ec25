package io.chronik.raft.kafka;

import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.cluster.ClusterNode;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.replica.ClientProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Metadata: every node with a Kafka listener is a broker; a partition's replicas are its Raft
 * members, all in sync (a Raft follower is never more than a commit behind what it acknowledged),
 * its leader the Raft leader as this node's replica sees it (else the node placement prefers) and
 * its leader epoch the Raft term. Any node takes any request — a produce sent to a follower is
 * forwarded to the leader — so a stale leader costs a hop, never an error.
 */
final class MetadataApi {
  private final ChronikRaft chronik;
  private final ClusterNode node;
  private final Brokers brokers;
  private final int autoCreatePartitions;
  private final Duration statusTimeout;

  MetadataApi(ChronikRaft chronik, Brokers brokers, int autoCreatePartitions, Duration statusTimeout) {
    this.chronik = chronik;
    this.node = chronik.node();
    this.brokers = brokers;
    this.autoCreatePartitions = autoCreatePartitions;
    this.statusTimeout = statusTimeout;
  }

  CompletionStage<ApiMessage> handle(MetadataRequestData request, short version) {
    MetadataResponseData out = new MetadataResponseData().setClusterId(node.clusterId().orElse("chronik"))
        .setControllerId(brokers.self());
    for (Brokers.Broker b : brokers.all()) {
      out.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(b.id()).setHost(b.host())
          .setPort(b.port()).setRack(b.rack().isEmpty() ? null : b.rack()));
    }
    Map<String, Integer> known = brokers.topics();
    List<String> names = new ArrayList<>();
    if (request.topics() == null) {
      names.addAll(known.keySet());
    } else {
      for (MetadataRequestData.MetadataRequestTopic t : request.topics()) names.add(t.name());
    }
    boolean mayCreate = version < 4 || request.allowAutoTopicCreation();
    Map<MetadataResponseData.MetadataResponseTopic, List<CompletableFuture<MetadataResponseData.MetadataResponsePartition>>>
        pending = new java.util.IdentityHashMap<>();
    for (String name : names) {
      MetadataResponseData.MetadataResponseTopic topic = new MetadataResponseData.MetadataResponseTopic()
          .setName(name).setTopicId(Uuid.ZERO_UUID).setIsInternal(false);
      out.topics().add(topic);
      Integer partitions = known.get(name);
      if (partitions == null) {
        topic.setErrorCode(unknown(name, mayCreate).code());
        continue;
      }
      List<CompletableFuture<MetadataResponseData.MetadataResponsePartition>> parts = new ArrayList<>();
      for (int p = 0; p < partitions; p++) parts.add(partition(name, p));
      pending.put(topic, parts);
    }
    CompletableFuture<?>[] all = pending.values().stream().flatMap(List::stream).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all).thenApply(v -> {
      pending.forEach((topic, parts) -> parts.forEach(p -> topic.partitions().add(p.join())));
      return out;
    });
  }

  /**
   * A topic that is not a Kafka topic here: created (the client asks again and finds it) when
   * allowed; invalid when it exists with another state machine or its name is not one chronik
   * takes; else unknown.
   */
  private Errors unknown(String name, boolean mayCreate) {
    try {
      Topic.validate(name);
    } catch (RuntimeException e) {
      return Errors.INVALID_TOPIC_EXCEPTION;
    }
    // A topic of another kind (a record log, a key-value map) is not for Kafka clients: say so at once.
    if (node.hasPartition(name + "-0")) return Errors.INVALID_TOPIC_EXCEPTION;
    if (io.chronik.raft.cluster.TopicCatalog.invalidName(name).isPresent()) return Errors.INVALID_TOPIC_EXCEPTION;
    if (!mayCreate || autoCreatePartitions <= 0) return Errors.UNKNOWN_TOPIC_OR_PARTITION;
    chronik.createTopic(name, autoCreatePartitions, 0, "kafka");
    return Errors.LEADER_NOT_AVAILABLE;
  }

  private CompletableFuture<MetadataResponseData.MetadataResponsePartition> partition(String topic, int p) {
    String group = topic + "-" + p;
    List<Integer> replicas = node.replicaNodes(group).stream().map(Brokers::brokerId).toList();
    MetadataResponseData.MetadataResponsePartition out = new MetadataResponseData.MetadataResponsePartition()
        .setPartitionIndex(p).setReplicaNodes(replicas).setIsrNodes(replicas).setOfflineReplicas(List.of());
    return leader(group).thenApply(leader -> {
      String leaderNode = leader.map(Leader::node).filter(n -> brokers.broker(n).isPresent())
          .or(() -> node.preferredLeader(group, Optional.empty()).filter(n -> brokers.broker(n).isPresent()))
          .orElse(node.nodeId());
      return out.setLeaderId(Brokers.brokerId(leaderNode)).setLeaderEpoch(leader.map(l -> (int) l.term()).orElse(-1));
    });
  }

  private record Leader(String node, long term) {}

  /** The leader and term this node's replica of {@code group} knows; empty when it holds none or knows none. */
  private CompletableFuture<Optional<Leader>> leader(String group) {
    if (!node.hostsReplicaOf(group)) return CompletableFuture.completedFuture(Optional.empty());
    return node.<ClientProtocol.StatusReply>ask(group, node.nodeId(), ClientProtocol.GetStatus::new, statusTimeout)
        .toCompletableFuture().handle((reply, e) -> reply instanceof ClientProtocol.Status s && s.leader().isPresent()
            ? Optional.of(new Leader(Configuration.nodeOf(s.leader().get()), s.term()))
            : Optional.empty());
  }
}
