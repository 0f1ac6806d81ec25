package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LeaderSpreadTest {
  private static final Set<String> THREE = Set.of("n1", "n2", "n3");

  @Test
  void freePartitionsLedByOneNodeSpreadToWithinOne() {
    Map<String, LeaderSpread.Group> groups = new TreeMap<>();
    for (int i = 0; i < 10; i++) groups.put("p" + i, free("n1/" + i, "n1/" + i, "n2/" + i, "n3/" + i));
    List<LeaderSpread.Transfer> plan = LeaderSpread.plan(groups, THREE);
    Map<String, Integer> led = apply(groups, plan);
    assertEquals(Map.of("n1", 4, "n2", 3, "n3", 3), led, plan.toString());
    assertEquals(6, plan.size(), "no more hand-overs than needed: " + plan);
    assertTrue(plan.stream().allMatch(t -> t.toMember().startsWith(t.toNode() + "/")), plan.toString());
  }

  @Test
  void pinnedPartitionsCountAtTheirPreferredLeaderAndNeverMove() {
    Map<String, LeaderSpread.Group> groups = new TreeMap<>();
    // Four pinned to n1 (one still led by n2, about to hand over by itself), two free ones on n1.
    for (int i = 0; i < 3; i++) groups.put("pin" + i, pinned("n1", "n1", "n1", "n2", "n3"));
    groups.put("pin3", pinned("n1", "n2", "n1", "n2", "n3"));
    groups.put("free0", free("n1/4", "n1/4", "n2/4", "n3/4"));
    groups.put("free1", free("n1/5", "n1/5", "n2/5", "n3/5"));
    List<LeaderSpread.Transfer> plan = LeaderSpread.plan(groups, THREE);
    assertEquals(Set.of("free0", "free1"), Set.copyOf(plan.stream().map(LeaderSpread.Transfer::group).toList()),
        "only free partitions move, both off n1 (counted with four pinned there): " + plan);
    assertTrue(plan.stream().noneMatch(t -> t.toNode().equals("n1")), plan.toString());
  }

  @Test
  void unreachableNodesAreNeitherCountedNorGivenLeaderships() {
    Map<String, LeaderSpread.Group> groups = new TreeMap<>();
    for (int i = 0; i < 6; i++) groups.put("p" + i, free("n1/" + i, "n1/" + i, "n2/" + i, "n3/" + i));
    List<LeaderSpread.Transfer> plan = LeaderSpread.plan(groups, Set.of("n1", "n2"));
    assertEquals(Map.of("n1", 3, "n2", 3), apply(groups, plan), plan.toString());
  }

  @Test
  void changingAndLeaderlessPartitionsStayWhereTheyAre() {
    Map<String, LeaderSpread.Group> groups = new TreeMap<>();
    for (int i = 0; i < 4; i++) {
      groups.put("p" + i, new LeaderSpread.Group(Optional.of("n1/" + i), voters("n1/" + i, "n2/" + i, "n3/" + i),
          Optional.empty(), true));
    }
    groups.put("none", new LeaderSpread.Group(Optional.empty(), voters("n1/9", "n2/9", "n3/9"), Optional.empty(), false));
    assertEquals(List.of(), LeaderSpread.plan(groups, THREE));
  }

  /** Random shapes: the plan always ends with the free partitions spread as far as their voters allow, and is stable. */
  @Test
  void randomShapesEndBalancedAndStable() {
    Random random = new Random(7);
    List<String> nodes = List.of("n1", "n2", "n3", "n4", "n5");
    for (int round = 0; round < 500; round++) {
      Map<String, LeaderSpread.Group> groups = new TreeMap<>();
      int partitions = 1 + random.nextInt(30);
      for (int p = 0; p < partitions; p++) {
        List<String> shuffled = new java.util.ArrayList<>(nodes);
        java.util.Collections.shuffle(shuffled, random);
        List<String> members = shuffled.subList(0, 3).stream().map(n -> n + "/" + random.nextInt(5)).toList();
        groups.put("p" + p, free(members.get(random.nextInt(3)), members.toArray(String[]::new)));
      }
      List<LeaderSpread.Transfer> plan = LeaderSpread.plan(groups, Set.copyOf(nodes));
      Map<String, LeaderSpread.Group> after = applied(groups, plan);
      assertEquals(List.of(), LeaderSpread.plan(after, Set.copyOf(nodes)), "round " + round + ": planning again moves more");
      Map<String, Integer> led = apply(groups, plan);
      // No free partition could still move from a node to one of its voters' nodes leading two fewer.
      for (LeaderSpread.Group g : after.values()) {
        String from = g.leaderNode().orElseThrow();
        for (String to : g.votersByNode().keySet()) {
          assertTrue(led.getOrDefault(from, 0) - led.getOrDefault(to, 0) <= 1, "round " + round + ": " + led);
        }
      }
    }
  }

  private static Map<String, Integer> apply(Map<String, LeaderSpread.Group> groups, List<LeaderSpread.Transfer> plan) {
    Map<String, Integer> led = new TreeMap<>();
    applied(groups, plan).values().forEach(g -> g.pinnedTo().or(g::leaderNode).ifPresent(n -> led.merge(n, 1, Integer::sum)));
    return led;
  }

  private static Map<String, LeaderSpread.Group> applied(Map<String, LeaderSpread.Group> groups,
      List<LeaderSpread.Transfer> plan) {
    Map<String, LeaderSpread.Group> out = new TreeMap<>(groups);
    for (LeaderSpread.Transfer t : plan) {
      LeaderSpread.Group g = out.get(t.group());
      assertEquals(g.leader().orElseThrow(), t.fromMember(), "a hand-over starts from the leader: " + t);
      out.put(t.group(), new LeaderSpread.Group(Optional.of(t.toMember()), g.votersByNode(), g.pinnedTo(), g.changing()));
    }
    return out;
  }

  private static LeaderSpread.Group free(String leader, String... voters) {
    return new LeaderSpread.Group(Optional.of(leader), voters(voters), Optional.empty(), false);
  }

  private static LeaderSpread.Group pinned(String to, String leader, String... voters) {
    return new LeaderSpread.Group(Optional.of(leader), voters(voters), Optional.of(to), false);
  }

  private static Map<String, String> voters(String... members) {
    Map<String, String> byNode = new TreeMap<>();
    for (String m : members) byNode.put(io.chronik.raft.core.Configuration.nodeOf(m), m);
    return byNode;
  }
}
