package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a node starts as a spare (holding nothing until {@code chronik node add}) rather than placing partitions on itself. */
class SpareNodeTest {
  private static final String SELF = "akka://chronik@127.0.0.1:2551";

  private static Config config(boolean spare, String... seeds) {
    return ConfigFactory.parseMap(java.util.Map.of("chronik.cluster.spare", spare, "akka.cluster.seed-nodes",
        List.of(seeds)));
  }

  @Test
  void aSingleNodeClusterSeededByItselfIsNoSpare() {
    assertFalse(ClusterNode.spare(config(false, SELF), "n1", List.of("n1"), SELF));
    assertFalse(ClusterNode.spare(config(false), "n1", List.of("n1"), SELF));
  }

  @Test
  void aListedNodeOfAClusterIsNoSpare() {
    assertFalse(ClusterNode.spare(config(false, SELF, "akka://chronik@127.0.0.1:2552"), "n1", List.of("n1", "n2"),
        SELF));
  }

  @Test
  void seedsOfOtherNodesWithoutANodeListMakeASpare() {
    // Without the list it would place every partition on itself alone: groups of the same names
    // beside the cluster's, answering clients on their own.
    assertTrue(ClusterNode.spare(config(false, "akka://chronik@127.0.0.1:2552"), "n4", List.of("n4"), SELF));
  }

  @Test
  void aNodeNotInTheListOrToldSoIsASpare() {
    assertTrue(ClusterNode.spare(config(false, SELF), "n4", List.of("n1", "n2", "n3"), SELF));
    assertTrue(ClusterNode.spare(config(true, SELF), "n1", List.of("n1", "n2", "n3"), SELF));
  }
}
