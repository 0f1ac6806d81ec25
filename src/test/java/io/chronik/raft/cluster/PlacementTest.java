package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static final Set<String> FIVE = Set.of("node-1", "node-2", "node-3", "node-4", "node-5");

  @Test
  void replicasAreDistinctDeterministicAndIndependentOfSetOrder() {
    for (int p = 0; p < 200; p++) {
      List<String> r = Placement.replicas("orders-" + p, FIVE, 3);
      assertEquals(3, new HashSet<>(r).size(), "distinct nodes");
      assertEquals(r, Placement.replicas("orders-" + p, new HashSet<>(FIVE), 3));
    }
  }

  @Test
  void loadSpreadsOverTheNodes() {
    Map<String, Integer> count = new HashMap<>();
    for (int p = 0; p < 1000; p++) {
      for (String n : Placement.replicas("t-" + p, FIVE, 3)) count.merge(n, 1, Integer::sum);
    }
    for (int c : count.values()) assertTrue(c > 450 && c < 750, "about 600 replicas per node: " + count);
  }

  @Test
  void addingANodeMovesOnlyWhatTheNewNodeTakes() {
    Set<String> six = new HashSet<>(FIVE);
    six.add("node-6");
    for (int p = 0; p < 300; p++) {
      List<String> before = Placement.replicas("t-" + p, FIVE, 3);
      List<String> after = Placement.replicas("t-" + p, six, 3);
      Set<String> moved = new HashSet<>(after);
      moved.removeAll(before);
      assertTrue(moved.isEmpty() || moved.equals(Set.of("node-6")), "only node-6 may join: " + before + " " + after);
    }
  }

  @Test
  void preferredLeadersSpreadEvenlyWhenEveryNodeHostsEveryPartition() {
    for (int nodes = 1; nodes <= 7; nodes++) {
      Set<String> ids = new HashSet<>();
      for (int n = 1; n <= nodes; n++) ids.add("node-" + n);
      for (int partitions = 1; partitions <= 20; partitions++) {
        Map<String, Integer> led = leadersPerNode(ids, partitions, nodes);
        int max = led.values().stream().max(Integer::compare).orElse(0);
        int min = ids.stream().mapToInt(n -> led.getOrDefault(n, 0)).min().orElse(0);
        assertTrue(max - min <= 1, nodes + " nodes, " + partitions + " partitions: " + led);
      }
    }
  }

  @Test
  void preferredLeadersStayNearlyEvenWithFewerReplicasThanNodes() {
    Map<String, Integer> led = leadersPerNode(FIVE, 50, 3);
    int max = led.values().stream().max(Integer::compare).orElseThrow();
    int min = FIVE.stream().mapToInt(n -> led.getOrDefault(n, 0)).min().orElseThrow();
    assertTrue(max - min <= 2 && (double) max / min <= 1.5, "50 partitions of 3 replicas on 5 nodes: " + led);
  }

  @Test
  void thePreferredLeaderIsAlwaysAReplicaAndEveryNodeComputesTheSame() {
    Map<String, List<String>> voters = new java.util.LinkedHashMap<>();
    for (int p = 0; p < 30; p++) voters.put("t-" + p, Placement.replicas("t-" + p, FIVE, 3));
    Map<String, String> preferred = Placement.preferredLeaders(voters);
    voters.forEach((p, v) -> assertTrue(v.contains(preferred.get(p)), p + ": " + preferred.get(p) + " not in " + v));
    assertEquals(preferred, Placement.preferredLeaders(new java.util.LinkedHashMap<>(voters)));
  }

  private static Map<String, Integer> leadersPerNode(Set<String> nodes, int partitions, int replicationFactor) {
    Map<String, List<String>> voters = new java.util.LinkedHashMap<>();
    for (int p = 0; p < partitions; p++) voters.put("t-" + p, Placement.replicas("t-" + p, nodes, replicationFactor));
    Map<String, Integer> led = new HashMap<>();
    Placement.preferredLeaders(voters).values().forEach(n -> led.merge(n, 1, Integer::sum));
    return led;
  }

  @Test
  void tooFewNodesIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Placement.replicas("orders-0", Set.of("a", "b"), 3));
    assertTrue(e.getMessage().contains("needs 3 nodes"), e.getMessage());
  }
}
