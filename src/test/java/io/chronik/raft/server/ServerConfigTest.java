package io.chronik.raft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What `chronik server` runs with, from its flags, its configuration file and the environment. */
class ServerConfigTest {
  private static final String NO_FILE = "target/no-such-application.conf";

  private static Config server(Map<String, String> environment, String... flags) {
    ServerCommand command = new ServerCommand();
    new CommandLine(command).parseArgs(flags);
    return command.config(environment);
  }

  @Test
  void withoutFlagsOrEnvironmentTheDefaultsOfReferenceConf() {
    Config c = server(Map.of(), "--config", NO_FILE);
    assertEquals("node-1", c.getString("chronik.node-id"));
    assertEquals("data/node-1", c.getString("chronik.data-dir"));
    assertEquals("127.0.0.1", c.getString("chronik.host"));
    assertEquals(9091, c.getInt("chronik.grpc.port"));
    assertEquals(9464, c.getInt("chronik.metrics.port"));
    assertEquals(List.of("node-1"), c.getStringList("chronik.cluster.nodes"));
    // The Akka settings follow chronik's: a node alone seeds itself.
    assertEquals("cluster", c.getString("akka.actor.provider"));
    assertEquals("127.0.0.1", c.getString("akka.remote.artery.canonical.hostname"));
    assertEquals(2551, c.getInt("akka.remote.artery.canonical.port"));
    assertEquals(List.of("akka://chronik@127.0.0.1:2551"), c.getStringList("akka.cluster.seed-nodes"));
  }

  @Test
  void theEnvironmentSetsEveryKeyByItsSystematicName() {
    Config c = server(Map.of(
        "CHRONIK_NODE_ID", "node-2",
        "CHRONIK_HOST", "10.0.0.2",
        "CHRONIK_GRPC_PORT", "9200",
        "CHRONIK_METRICS_PORT", "0",
        "CHRONIK_CLUSTER_PORT", "2600",
        "CHRONIK_CLUSTER_SEEDS", "10.0.0.1:2600, 10.0.0.2:2600",
        "CHRONIK_CLUSTER_NODES", "node-1,node-2,node-3",
        "CHRONIK_RAFT_ELECTION_TIMEOUT", "2s",
        "CHRONIK_RAFT_STORAGE", "wal"), "--config", NO_FILE);
    assertEquals("node-2", c.getString("chronik.node-id"));
    assertEquals("data/node-2", c.getString("chronik.data-dir"), "derived from the node id the environment gave");
    assertEquals(Path.of("data/node-2/journal").toString(), c.getString("chronik.journal.leveldb.dir"));
    assertEquals(9200, c.getInt("chronik.grpc.port"));
    assertEquals(0, c.getInt("chronik.metrics.port"));
    assertEquals(List.of("node-1", "node-2", "node-3"), c.getStringList("chronik.cluster.nodes"));
    assertEquals(Duration.ofSeconds(2), c.getDuration("chronik.raft.election-timeout"));
    assertEquals("wal", c.getString("chronik.raft.storage"));
    assertEquals("10.0.0.2", c.getString("akka.remote.artery.canonical.hostname"));
    assertEquals(2600, c.getInt("akka.remote.artery.canonical.port"));
    assertEquals(List.of("akka://chronik@10.0.0.1:2600", "akka://chronik@10.0.0.2:2600"),
        c.getStringList("akka.cluster.seed-nodes"));
  }

  @Test
  void flagsOverrideTheEnvironmentAndDerivedDefaultsFollowThem() {
    Config c = server(Map.of("CHRONIK_NODE_ID", "node-2", "CHRONIK_GRPC_PORT", "9200", "CHRONIK_CLUSTER_PORT", "2600"),
        "--config", NO_FILE, "--node-id", "node-3", "--grpc-port", "9300", "--host", "10.0.0.3");
    assertEquals("node-3", c.getString("chronik.node-id"));
    assertEquals("data/node-3", c.getString("chronik.data-dir"));
    assertEquals(List.of("node-3"), c.getStringList("chronik.cluster.nodes"));
    assertEquals(9300, c.getInt("chronik.grpc.port"));
    assertEquals(List.of("akka://chronik@10.0.0.3:2600"), c.getStringList("akka.cluster.seed-nodes"),
        "the default seed is this node: the flag's host, the environment's port");
  }

  @Test
  void onlyTheFlagsGivenBecomeOverrides() {
    ServerCommand command = new ServerCommand();
    new CommandLine(command).parseArgs("--grpc-port", "9300");
    assertEquals(Map.of("chronik.grpc.port", 9300), command.overrides());
  }

  /** What {@link LocalCluster} (cluster, bench, the process tests) passes to each node. */
  @Test
  void theFlagsLocalClusterPassesSetEveryKeyTheyName() {
    Config c = server(Map.of("CHRONIK_GRPC_PORT", "9999", "CHRONIK_DATA_DIR", "/elsewhere"),
        "--config", NO_FILE, "--node-id", "node-2", "--data-dir", "base/node-2", "--host", "127.0.0.1",
        "--cluster-port", "2552", "--grpc-port", "9092", "--metrics-port", "9465",
        "--seeds", "127.0.0.1:2551,127.0.0.1:2552,127.0.0.1:2553", "--nodes", "node-1,node-2,node-3");
    assertEquals("base/node-2", c.getString("chronik.data-dir"));
    assertEquals(9092, c.getInt("chronik.grpc.port"));
    assertEquals(9465, c.getInt("chronik.metrics.port"));
    assertEquals(2552, c.getInt("akka.remote.artery.canonical.port"));
    assertEquals(3, c.getStringList("akka.cluster.seed-nodes").size());
    assertEquals(List.of("node-1", "node-2", "node-3"), c.getStringList("chronik.cluster.nodes"));
  }

  /** The file ranks above the environment, as everywhere in Typesafe Config; it may refer to keys a flag sets. */
  @Test
  void theConfigurationFileRanksAboveTheEnvironmentAndSeesTheFlags(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.conf");
    Files.writeString(file, String.join("\n",
        "chronik.raft.election-timeout = 3s",
        "akka.cluster.roles = [chronik, \"chronik-node-\"${chronik.node-id}]"));
    Config c = server(Map.of("CHRONIK_RAFT_ELECTION_TIMEOUT", "2s", "CHRONIK_RAFT_HEARTBEAT_INTERVAL", "200ms"),
        "--config", file.toString(), "--node-id", "node-5");
    assertEquals(Duration.ofSeconds(3), c.getDuration("chronik.raft.election-timeout"));
    assertEquals(Duration.ofMillis(200), c.getDuration("chronik.raft.heartbeat-interval"));
    assertEquals(List.of("chronik", "chronik-node-node-5"), c.getStringList("akka.cluster.roles"));
  }

  /** The environment read is the one given: no CHRONIK_* key of the real environment leaks in, and none stays behind. */
  @Test
  void theEnvironmentLeavesNoKeysBehind() {
    Config c = server(Map.of("CHRONIK_GRPC_PORT", "9200", "SOME_OTHER_VARIABLE", "x"), "--config", NO_FILE);
    List<String> roots = new ArrayList<>(c.root().keySet());
    assertTrue(roots.stream().noneMatch(k -> k.startsWith("CHRONIK_") || k.equals("SOME_OTHER_VARIABLE")), roots.toString());
  }
}
