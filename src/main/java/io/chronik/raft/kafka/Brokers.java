package io.chronik.raft.kafka;

import io.chronik.raft.cluster.ClusterNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chronik's nodes as Kafka brokers: a node's broker id is the number its id ends with ({@code n3}:
 * 3, {@code node-12}: 12), else a hash of the id, so every node derives the same ids without
 * coordination; and the cluster's {@code kafka} topics as this node knows them.
 */
final class Brokers {
  private static final Pattern TRAILING_NUMBER = Pattern.compile("(\\d{1,9})$");
  private static final String KAFKA = "kafka";

  private final ClusterNode node;

  Brokers(ClusterNode node) {
    this.node = node;
  }

  static int brokerId(String nodeId) {
    Matcher m = TRAILING_NUMBER.matcher(nodeId);
    if (m.find()) return Integer.parseInt(m.group(1));
    return 1_000_000_000 + Math.floorMod(nodeId.hashCode(), 1_000_000_000);
  }

  int self() {
    return brokerId(node.nodeId());
  }

  /** A node that serves Kafka clients: its id, broker id, address and rack (empty: none). */
  record Broker(String nodeId, int id, String host, int port, String rack) {}

  /** Every node whose Kafka address this node knows, itself included. */
  List<Broker> all() {
    List<String> ids = new ArrayList<>(node.knownNodes());
    if (!ids.contains(node.nodeId())) ids.add(node.nodeId());
    List<Broker> out = new ArrayList<>();
    for (String id : ids) broker(id).ifPresent(out::add);
    return out;
  }

  Optional<Broker> broker(String nodeId) {
    return node.kafkaAddress(nodeId).flatMap(address -> {
      int colon = address.lastIndexOf(':');
      if (colon < 0) return Optional.empty();
      try {
        return Optional.of(new Broker(nodeId, brokerId(nodeId), address.substring(0, colon),
            Integer.parseInt(address.substring(colon + 1)), node.rack(nodeId).orElse("")));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    });
  }

  /** The {@code kafka} topics and their partition counts, as this node's catalog has them. */
  Map<String, Integer> topics() {
    Map<String, Integer> out = new TreeMap<>();
    for (String group : node.partitions().keySet()) {
      if (!node.kind(group).map(KAFKA::equals).orElse(false)) continue;
      int dash = group.lastIndexOf('-');
      if (dash <= 0) continue;
      out.merge(group.substring(0, dash), 1, Integer::sum);
    }
    return out;
  }

  /** Whether {@code group} runs a Kafka partition (not some other kind under the same topic name). */
  boolean isKafka(String group) {
    return node.kind(group).map(KAFKA::equals).orElse(false);
  }
}
