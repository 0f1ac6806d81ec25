package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.ClientProtocol.StatusReply;
import io.chronik.raft.server.ChronikConfig;
import io.chronik.raft.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Nodes of one Akka Cluster as ActorSystems in this JVM, on 127.0.0.1 with real Artery and a
 * LevelDB journal per node. A node can be stopped and started again on the same data and port.
 */
public final class TestCluster implements AutoCloseable {
  final List<String> ids;
  private final List<String> listed;
  private final int[] ports;
  private final Path root;
  private final String topics;
  private final String extraConfig;
  private final ActorTestKit[] kits;
  /** Per node, configuration over {@link #extraConfig} (set by {@link #start(int, String)}). */
  private final String[] nodeConfig;

  public TestCluster(List<String> ids, String topics) throws Exception {
    this(ids, topics, "");
  }

  TestCluster(List<String> ids, String topics, String extraConfig) throws Exception {
    this(ids, ids, topics, extraConfig);
  }

  /** {@code listed}: the nodes in chronik.cluster.nodes; the others of {@code ids} start as spares. */
  TestCluster(List<String> ids, List<String> listed, String topics, String extraConfig) throws Exception {
    this.listed = listed;
    this.ids = ids;
    this.topics = topics;
    this.extraConfig = extraConfig;
    this.ports = new int[ids.size()];
    for (int i = 0; i < ports.length; i++) ports[i] = FreePorts.one();
    this.root = Files.createTempDirectory(Path.of("target"), "cluster-");
    this.kits = new ActorTestKit[ids.size()];
    this.nodeConfig = new String[ids.size()];
    java.util.Arrays.fill(nodeConfig, "");
    for (int i = 0; i < ids.size(); i++) start(i);
    awaitAllUp();
  }

  /** A cluster of {@code ids} (all listed), for tests outside this package; {@code extraConfig} on every node. */
  public static TestCluster start(List<String> ids, String topics, String extraConfig) throws Exception {
    return new TestCluster(ids, topics, extraConfig);
  }


  Config config(int i) {
    StringBuilder seeds = new StringBuilder();
    for (int p : ports) seeds.append(seeds.length() == 0 ? "" : ",").append("\"akka://chronik@127.0.0.1:").append(p).append('"');
    Path dataDir = root.resolve(ids.get(i));
    return ChronikConfig.withDerivedPaths(ConfigFactory.parseString(String.join("\n",
            "akka.actor.provider = cluster",
            "akka.remote.artery.canonical.hostname = \"127.0.0.1\"",
            "akka.remote.artery.canonical.port = " + ports[i],
            "akka.cluster.seed-nodes = [" + seeds + "]",
            "akka.cluster.roles = [chronik, " + NodeRole.of(ids.get(i)) + "]",
            "akka.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "akka.loglevel = WARNING",
            "chronik.node-id = " + ids.get(i),
            "chronik.rack = rack-" + ids.get(i),
            "chronik.data-dir = \"" + dataDir + "\"",
            "chronik.cluster.nodes = [" + String.join(",", listed) + "]",
            "chronik.topics = " + topics,
            "chronik.raft.election-timeout = 500ms",
            "chronik.raft.heartbeat-interval = 50ms",
            extraConfig,
            nodeConfig[i]))
        .withFallback(ConfigFactory.load()).resolve());
  }

  /** Starts node {@code i} again with {@code config} over the cluster's (a node configured unlike the others). */
  void start(int i, String config) {
    nodeConfig[i] = config;
    start(i);
  }

  void start(int i) {
    kits[i] = ActorTestKit.create("chronik", config(i));
    ChronikRaft.get(kits[i].system());
  }

  /** Stops node {@code i} (it leaves the cluster); its data directory stays. */
  void stop(int i) throws Exception {
    kits[i].system().terminate();
    kits[i].system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    kits[i] = null;
  }

  /** Deletes stopped node {@code i}'s data directory, as a disk that died and was replaced. */
  void wipe(int i) throws java.io.IOException {
    if (kits[i] != null) throw new IllegalStateException("stop node " + ids.get(i) + " before wiping its data");
    Path dir = root.resolve(ids.get(i));
    if (!Files.exists(dir)) return;
    try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  /** Node {@code i}'s data directory. */
  Path dataDir(int i) {
    return root.resolve(ids.get(i));
  }

  ChronikRaft chronik(int i) {
    return ChronikRaft.get(kits[i].system());
  }

  public ActorTestKit kit(int i) {
    return kits[i];
  }

  boolean running(int i) {
    return kits[i] != null;
  }

  int indexOf(String id) {
    return ids.indexOf(id);
  }

  void awaitAllUp() {
    TestProbe<Object> probe = anyKit().createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
      for (ActorTestKit k : kits) {
        if (k == null) continue;
        assertEquals(MemberStatus.up(), Cluster.get(k.system()).selfMember().status(), "member up");
        long up = 0;
        for (akka.cluster.Member m : Cluster.get(k.system()).state().getMembers()) {
          if (m.status() == MemberStatus.up()) up++;
        }
        assertEquals(java.util.Arrays.stream(kits).filter(x -> x != null).count(), up, "all members up");
      }
      return null;
    });
  }

  ActorTestKit anyKit() {
    for (ActorTestKit k : kits) if (k != null) return k;
    throw new IllegalStateException("no node running");
  }

  /** The leader of {@code group}, asked through running node {@code via}. */
  Status awaitLeader(int via, String group) {
    ClusterNode node = chronik(via).node();
    TestProbe<Object> probe = kits[via].createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      List<Status> statuses = new ArrayList<>();
      for (String voter : node.voters(group)) {
        try {
          StatusReply r = node.<StatusReply>ask(group, voter, GetStatus::new).toCompletableFuture().get(1, TimeUnit.SECONDS);
          if (r instanceof Status s) statuses.add(s);
        } catch (Exception e) {
          // that replica's node is down or it is recovering
        }
      }
      return statuses.stream().filter(s -> s.role().equals("leader")).findFirst()
          .orElseThrow(() -> new AssertionError("no leader for " + group + " yet: " + statuses));
    });
  }

  @Override
  public void close() throws Exception {
    for (ActorTestKit k : kits) if (k != null) k.system().terminate();
    for (ActorTestKit k : kits) if (k != null) k.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
