package io.chronik.raft.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Deterministic replica placement by rendezvous (highest-random-weight) hashing: every node
 * computes the same replica set for a partition from the partition id and the node ids alone,
 * replicas land on distinct nodes, and adding or removing a node moves only the partitions that
 * node gains or loses.
 */
public final class Placement {
  private Placement() {}

  /**
   * The {@code replicationFactor} nodes that host {@code partition}, highest weight first.
   *
   * @throws IllegalArgumentException when there are fewer nodes than the replication factor
   */
  public static List<String> replicas(String partition, Set<String> nodes, int replicationFactor) {
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("replication factor must be at least 1, got " + replicationFactor);
    }
    if (nodes.size() < replicationFactor) {
      throw new IllegalArgumentException("partition " + partition + " needs " + replicationFactor
          + " nodes for its replicas but only " + nodes.size() + " are configured: " + new TreeSet<>(nodes));
    }
    List<String> ranked = new ArrayList<>(nodes);
    ranked.sort(Comparator.comparingLong((String node) -> weight(partition, node)).reversed()
        .thenComparing(Comparator.naturalOrder()));
    return List.copyOf(ranked.subList(0, replicationFactor));
  }

  /** 64-bit FNV-1a of "partition/node", finished with a SplitMix64 avalanche. */
  static long weight(String partition, String node) {
    long h = 0xcbf29ce484222325L;
    for (byte b : (partition + "/" + node).getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return h;
  }

  /**
   * The preferred leader of each partition, so that leaders spread evenly over the nodes: taking
   * the partitions in the given order, each goes to the voter that leads the fewest so far (ties:
   * the voter ranked first by placement). Every node computes the same answer from the same
   * configuration. With every node a voter of every partition, the counts per node differ by at
   * most one.
   *
   * @param rankedVoters each partition's voters, highest placement weight first
   */
  public static Map<String, String> preferredLeaders(Map<String, List<String>> rankedVoters) {
    Map<String, Integer> led = new HashMap<>();
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> p : rankedVoters.entrySet()) {
      String best = null;
      for (String voter : p.getValue()) {
        if (best == null || led.getOrDefault(voter, 0) < led.getOrDefault(best, 0)) best = voter;
      }
      if (best == null) throw new IllegalArgumentException("partition " + p.getKey() + " has no voters");
      led.merge(best, 1, Integer::sum);
      out.put(p.getKey(), best);
    }
    return out;
  }
}
