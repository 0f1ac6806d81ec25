package io.chronik.raft.cluster;

import io.chronik.raft.core.Configuration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which leaderships to hand over so that every node leads within one of every other (the issue's
 * "leaders within ±1 per node"), counting every partition but moving only the free ones.
 *
 * <p>A partition is pinned while it keeps the voters placement gave it: its leader hands over to
 * placement's preferred leader by itself (leader balancing in the replica), so it is counted
 * there and never moved here, or the two would take turns. A partition whose voters changed (a
 * move, a replacement) has no preferred leader any more and is free. Repeatedly, the free
 * partition whose leader's node leads the most hands over to its voter on the node that leads the
 * least, while the two differ by two or more; each hand-over lowers the sum of squares of the
 * counts, so the plan ends, and applying it again changes nothing.
 */
public final class LeaderSpread {
  /**
   * One partition: its leader (a member id), its voters (member ids by node), and the node it is
   * pinned to (empty: free). A partition with no leader, or whose configuration is changing, is
   * not moved.
   */
  public record Group(Optional<String> leader, Map<String, String> votersByNode, Optional<String> pinnedTo,
      boolean changing) {
    Optional<String> leaderNode() {
      return leader.map(Configuration::nodeOf);
    }
  }

  /** Hand {@code group}'s leadership from member {@code fromMember} to member {@code toMember} (on node {@code toNode}). */
  public record Transfer(String group, String fromMember, String toMember, String toNode) {}

  private LeaderSpread() {}

  /**
   * @param groups every partition by id
   * @param liveNodes the nodes that may lead: answering, not draining; others are neither counted
   *     nor given leaderships
   */
  public static List<Transfer> plan(Map<String, Group> groups, Set<String> liveNodes) {
    Map<String, Integer> led = new TreeMap<>();
    for (Group g : groups.values()) {
      for (String n : g.votersByNode().keySet()) if (liveNodes.contains(n)) led.putIfAbsent(n, 0);
    }
    Map<String, String> leaderOf = new TreeMap<>(); // free groups: their leader's node as planned so far
    groups.forEach((id, g) -> {
      Optional<String> counted = g.pinnedTo().filter(led::containsKey).or(g::leaderNode);
      counted.filter(led::containsKey).ifPresent(n -> led.merge(n, 1, Integer::sum));
      if (g.pinnedTo().isEmpty() && !g.changing() && g.leader().isPresent()) leaderOf.put(id, g.leaderNode().get());
    });
    List<Transfer> plan = new ArrayList<>();
    Set<String> moved = new HashSet<>();
    while (true) {
      Transfer best = null;
      int bestGap = 1;
      for (Map.Entry<String, String> e : leaderOf.entrySet()) {
        String id = e.getKey();
        String from = e.getValue();
        if (moved.contains(id) || !led.containsKey(from)) continue;
        for (Map.Entry<String, String> voter : groups.get(id).votersByNode().entrySet()) {
          String to = voter.getKey();
          if (!led.containsKey(to) || to.equals(from)) continue;
          int gap = led.get(from) - led.get(to);
          if (gap > bestGap) {
            bestGap = gap;
            best = new Transfer(id, groups.get(id).leader().get(), voter.getValue(), to);
          }
        }
      }
      if (best == null) return plan;
      plan.add(best);
      moved.add(best.group());
      led.merge(leaderOf.get(best.group()), -1, Integer::sum);
      led.merge(best.toNode(), 1, Integer::sum);
      leaderOf.put(best.group(), best.toNode());
    }
  }
}
