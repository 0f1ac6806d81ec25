package io.chronik.raft.cluster;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.Cluster;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import com.typesafe.config.Config;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.replica.Command;
import io.chronik.raft.replica.GroupMembers;
import io.chronik.raft.replica.PeerSender;
import io.chronik.raft.replica.ReplicaControl;
import io.chronik.raft.replica.ReplicaSettings;
import io.chronik.raft.storage.ReplicaStorage;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One chronik node in an Akka Cluster. Its replicas are children of its {@link NodeHost}, a system
 * actor at {@link #HOST_PATH}, started by the node itself; peers and clients reach them with one
 * Artery hop to that path, found in the {@link PeerDirectory} ({@link PeerDiscovery}). Membership serves as an address
 * book and as a reachability hint for status, never as a gate: no coordinator, singleton,
 * convergence or downing decision stands between a replica and its majority, so a node failure
 * costs one Raft election.
 *
 * <p>A stop through Coordinated Shutdown (Ctrl-C, SIGTERM, {@code ActorSystem.terminate}) first
 * hands every leadership this node holds to another replica ({@link #drain}), so that a rolling
 * restart costs no election at all.
 */
public final class ClusterNode {
  /** Where each node's host actor lives. */
  public static final String HOST_PATH = "/system/chronik-node";
  private final Map<String, List<String>> memberNodes = new java.util.concurrent.ConcurrentHashMap<>();
  /** The replica this node runs for each group, as its host keeps it: asked straight, not through the host. */
  private final Map<String, ActorRef<Command>> hosted;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterNode.class);

  private final ActorSystem<?> system;
  private final String nodeId;
  private final List<String> nodes;
  /** Every partition this node knows, the files' then the runtime topics' (replaced whole on a change). */
  private volatile Map<String, NodeHost.GroupSpec> groups;
  /** Each partition's state machine kind (record-log, key-value, journal). */
  private volatile Map<String, String> kinds;
  /** The runtime topics this node acts on ({@link #applyCatalog}). */
  private TopicCatalog catalog = TopicCatalog.EMPTY;
  private final Config config;
  private final ActorRef<NodeHost.Message> host;
  private final PeerDirectory directory;
  private final Duration askTimeout;
  private final Transport.Stats transportStats;

  private ClusterNode(ActorSystem<?> system, String nodeId, List<String> nodes, Map<String, NodeHost.GroupSpec> groups,
      Map<String, String> kinds, PeerDirectory directory, Transport.Stats transportStats,
      Map<String, ActorRef<Command>> hosted, ActorRef<NodeHost.Message> host) {
    this.hosted = hosted;
    this.host = host;
    this.config = system.settings().config();
    this.system = system;
    this.nodeId = nodeId;
    this.nodes = nodes;
    this.groups = groups;
    this.kinds = kinds;
    this.directory = directory;
    this.transportStats = transportStats;
    this.askTimeout = system.settings().config().getDuration("chronik.request-timeout");
  }

  /**
   * Starts this node's part: its host with its replicas, its transport, and the membership
   * watcher. The system must be a cluster member with roles {@code chronik} and
   * {@link NodeRole#of} its node id (other members find its host through that role). Its replicas
   * record their meters into {@code registry}.
   */
  public static ClusterNode start(ActorSystem<?> system, MeterRegistry registry) {
    return start(system, registry, Optional.empty());
  }

  /**
   * As {@link #start(ActorSystem, MeterRegistry)}; {@code peerTls}: the TLS of the replicas' gRPC
   * streams, when the node runs TLS ({@code chronik.tls}).
   */
  public static ClusterNode start(ActorSystem<?> system, MeterRegistry registry, Optional<PeerTls> peerTls) {
    Config config = system.settings().config();
    String nodeId = config.getString("chronik.node-id");
    List<String> nodes = List.copyOf(new LinkedHashSet<>(ListSetting.read(config, "chronik.cluster.nodes")));
    boolean spare = spare(config, nodeId, nodes, akka.cluster.Cluster.get(system).selfAddress().toString());
    if (spare) {
      LOG.info("{} starts as a spare: it holds no replica until a partition's leader adds one here (chronik node add "
          + "{}); chronik.cluster.nodes is {}", nodeId, nodeId, nodes);
    }
    checkDataDir(config, nodeId);
    StoreIdentity store = StoreIdentity.loadOrCreate(Path.of(config.getString("chronik.data-dir")), nodeId);
    Map<String, NodeHost.GroupSpec> groups = groups(config, nodes, nodeId);
    if (spare) groups = withoutFilesVoters(groups);
    ReplicaSettings settings = ReplicaSettings.fromConfig(config.getConfig("chronik.raft"));
    checkFrameSize(config, settings);
    String journal = config.getString("chronik.raft.journal-plugin-id");
    PeerDirectory directory = new PeerDirectory();
    Map<String, ActorRef<Command>> hosted = new java.util.concurrent.ConcurrentHashMap<>();
    directory.learnIdentity(nodeId, store.storeId(), filesHash(config, nodes));
    directory.learnClusterId(nodeId, StoreIdentity.clusterId(Path.of(config.getString("chronik.data-dir"))));
    Transport.Stats stats = new Transport.Stats();
    Optional<MessageFilter> filter = messageFilter(config, nodeId);
    RaftMessageSerializer serializer = new RaftMessageSerializer((ExtendedActorSystem) system.classicSystem());
    int maxPeerMessage = (int) Math.min(Integer.MAX_VALUE, config.getBytes("akka.remote.artery.advanced.maximum-frame-size"));
    Optional<PeerStreams> streams = peerStreams(config, nodeId, peerTls).map(tls -> PeerStreams.start(nodeId,
        directory, serializer, tls, maxPeerMessage, system.classicSystem()));
    Optional<PeerEndpoint> endpoint = streams.map(s -> PeerEndpoint.bind(nodeId, serializer, peerBindHost(system),
        config.getInt("chronik.cluster.peer-port"), maxPeerMessage, peerTls, system.classicSystem()));
    Function<ActorRef<NodeHost.Message>, PeerSender> transport =
        self -> Transport.create(nodeId, self, directory, filter, stats, system, streams);
    stats.bindTo(registry, nodeId);
    io.chronik.raft.storage.EmbeddedJournal.startIfUsed(system);
    ActorRef<NodeHost.Message> host = system.systemActorOf(
        NodeHost.create(nodeId, List.copyOf(groups.values()), settings, directory, transport,
            (node, group) -> ReplicaStorage.factory(config, node, group), registry,
            StoreIdentity.tombstones(Path.of(config.getString("chronik.data-dir"))), hosted,
            (group, keys) -> deleteFiles(Path.of(config.getString("chronik.data-dir")), nodeId, group, keys),
            config.getDuration("chronik.membership.removed-data-grace")),
        HOST_PATH.substring(HOST_PATH.lastIndexOf('/') + 1), Props.empty());
    directory.learn(nodeId, host);
    endpoint.ifPresent(e -> {
      e.deliverTo(host);
      directory.learnPeerAddress(nodeId, advertisedHost(system) + ":" + e.localAddress().getPort());
    });
    List<String> seeds = config.getStringList("akka.cluster.seed-nodes");
    system.systemActorOf(PeerDiscovery.create(nodeId, host, directory, seeds,
        config.getDuration("chronik.cluster.discovery-interval")), "chronik-discovery", Props.empty());
    ClusterNode node = new ClusterNode(system, nodeId, nodes, Collections.unmodifiableMap(new LinkedHashMap<>(groups)),
        kinds(config), directory, stats, hosted, host);
    node.applyCatalog(TopicCatalogCache.load(Path.of(config.getString("chronik.data-dir"))));
    Duration handOver = config.getDuration("chronik.shutdown.leadership-handover-timeout");
    CoordinatedShutdown.get(system.classicSystem()).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "chronik-hand-over-leadership", () -> node.drain(handOver));
    return node;
  }

  /**
   * Whether this node starts as a spare, holding nothing until {@code chronik node add}: when
   * {@code chronik.cluster.spare} says so, when it is not in {@code chronik.cluster.nodes}, or when
   * it was given seeds of other nodes but no node list (the list then defaults to itself alone,
   * and placing every partition on this node alone would start groups of the same names beside
   * the cluster's).
   */
  static boolean spare(Config config, String nodeId, List<String> nodes, String selfAddress) {
    if (config.getBoolean("chronik.cluster.spare") || !nodes.contains(nodeId)) return true;
    boolean othersSeeded = config.getStringList("akka.cluster.seed-nodes").stream()
        .anyMatch(seed -> !seed.equals(selfAddress));
    return nodes.equals(List.of(nodeId)) && othersSeeded;
  }

  /** The groups as a spare knows them: their state machines, and no voter placed anywhere by the files. */
  private static Map<String, NodeHost.GroupSpec> withoutFilesVoters(Map<String, NodeHost.GroupSpec> groups) {
    Map<String, NodeHost.GroupSpec> out = new LinkedHashMap<>();
    groups.forEach((id, g) -> out.put(id, new NodeHost.GroupSpec(id, Set.of(), Optional.empty(), g.stateMachine(),
        g.stateMachineAt())));
    return out;
  }

  /**
   * A digest of what the configuration files say about the cluster's shape (the node list and the
   * topics): nodes record a group's configuration from the files only while they all agree.
   */
  static String filesHash(Config config, List<String> nodes) {
    String files = String.join(",", nodes) + "|" + config.getValue("chronik.topics").render(
        com.typesafe.config.ConfigRenderOptions.concise());
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(files.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Every configured partition with its voters and preferred leader, in configuration order;
   * record-log partitions keep their segments under {@code <chronik.data-dir>/records/<node>/<partition>}.
   */
  static Map<String, NodeHost.GroupSpec> groups(Config config, List<String> nodes, String nodeId) {
    Path records = Path.of(config.getString("chronik.data-dir")).resolve("records").resolve(nodeId);
    Map<String, NodeHost.GroupSpec> placed = new LinkedHashMap<>();
    for (TopicSpec t : filesTopics(config, nodes)) {
      for (NodeHost.GroupSpec g : t.groups(new LinkedHashSet<>(nodes), group -> Optional.of(records.resolve(group)))) {
        placed.put(g.groupId(), g);
      }
    }
    return withPreferredLeaders(placed);
  }

  /**
   * The topics of {@code chronik.topics}, then the metadata group's (last, so that it changes no
   * other partition's preferred leader).
   */
  static List<TopicSpec> filesTopics(Config config, List<String> nodes) {
    List<TopicSpec> topics = new ArrayList<>(TopicSpec.fromConfig(config.getConfig("chronik")));
    int metaVoters = Math.max(1, Math.min(config.getInt("chronik.metadata.replication-factor"), nodes.size()));
    topics.add(new TopicSpec(TopicCatalog.TOPIC, 1, metaVoters, "key-value"));
    return topics;
  }

  /** The groups, each with its preferred leader: leaders spread over the voters ({@link Placement#preferredLeaders}). */
  private static Map<String, NodeHost.GroupSpec> withPreferredLeaders(Map<String, NodeHost.GroupSpec> placed) {
    Map<String, List<String>> voters = new LinkedHashMap<>();
    placed.forEach((id, g) -> voters.put(id, List.copyOf(g.voters())));
    Map<String, String> preferred = Placement.preferredLeaders(voters);
    Map<String, NodeHost.GroupSpec> out = new LinkedHashMap<>();
    placed.forEach((id, g) -> out.put(id,
        new NodeHost.GroupSpec(id, g.voters(), Optional.of(preferred.get(id)), g.stateMachine(), g.stateMachineAt())));
    return out;
  }

  /**
   * Acts on the runtime topics of {@code next} (the metadata group's catalog): starts the replicas
   * of new topics placed on this node, and stops the replicas of deleted topics and deletes their
   * files. Kept in the data directory, so that a restart starts its replicas before the metadata
   * group answers. A topic's record never changes but for its deletion, so applying an older
   * catalog after a newer one changes nothing.
   */
  public synchronized void applyCatalog(TopicCatalog next) {
    if (next.equals(catalog)) return;
    Path data = Path.of(config.getString("chronik.data-dir"));
    if (!next.clusterId().isEmpty()) {
      Optional<String> mine = directory.clusterId(nodeId);
      if (mine.isEmpty()) {
        StoreIdentity.adoptClusterId(data, next.clusterId());
        directory.learnClusterId(nodeId, next.clusterId());
        LOG.info("this node's data belongs to cluster {} (recorded in {})", next.clusterId(),
            data.resolve(StoreIdentity.FILE));
      } else if (!mine.get().equals(next.clusterId())) {
        LOG.error("the metadata group this node reached is cluster {}'s, but this node's data ({}) belongs to cluster {}:"
            + " ignoring its topics. Point --seeds at this node's own cluster, or start it on an empty data directory "
            + "to join this one", next.clusterId(), data, mine.get());
        return;
      }
    }
    Path records = data.resolve("records").resolve(nodeId);
    Map<String, NodeHost.GroupSpec> nextGroups = new LinkedHashMap<>(groups);
    Map<String, String> nextKinds = new LinkedHashMap<>(kinds);
    List<NodeHost.GroupSpec> added = new ArrayList<>();
    for (io.chronik.raft.metadata.proto.TopicRecord t : next.all()) {
      TopicSpec spec = TopicCatalog.spec(t, config.getConfig("chronik"));
      boolean known = nextGroups.containsKey(spec.groupId(0));
      if (t.getDeleted()) {
        if (!known) continue;
        for (int p = 0; p < spec.partitions(); p++) {
          String group = spec.groupId(p);
          nextGroups.remove(group);
          nextKinds.remove(group);
          host.tell(new NodeHost.DropGroup(group, () -> deleteFiles(data, nodeId, group, key -> true)));
        }
        LOG.info("topic {} was deleted: this node stops its replicas and deletes their files", t.getName());
      } else if (!known) {
        Map<String, NodeHost.GroupSpec> placed = new LinkedHashMap<>();
        for (NodeHost.GroupSpec g : spec.groups(TopicCatalog.placement(t), group -> Optional.of(records.resolve(group)))) {
          placed.put(g.groupId(), g);
        }
        withPreferredLeaders(placed).forEach((id, g) -> {
          nextGroups.put(id, g);
          nextKinds.put(id, spec.stateMachine());
          added.add(g);
        });
        LOG.info("topic {} ({} partition(s), replication factor {}, {}) was created", t.getName(), t.getPartitions(),
            t.getReplicationFactor(), t.getKind());
      }
    }
    groups = Collections.unmodifiableMap(nextGroups);
    kinds = Collections.unmodifiableMap(nextKinds);
    if (!added.isEmpty()) host.tell(new NodeHost.AddGroups(added));
    catalog = next;
    TopicCatalogCache.save(data, next);
  }

  /** The runtime topics this node acts on. */
  public synchronized TopicCatalog catalog() {
    return catalog;
  }

  /**
   * Deletes what members of {@code group} left in this node's data directory, for each storage key
   * {@code keys} accepts: record segments, snapshots and (chronik.raft.storage = wal) the log. The
   * entries a journal plugin holds are the plugin's: they stay (LevelDB compacts them away only
   * when deleted through the plugin).
   */
  private static void deleteFiles(Path data, String nodeId, String group, java.util.function.Predicate<String> keys) {
    for (String area : List.of("records", "snapshots", "wal")) {
      Path dir = data.resolve(area).resolve(nodeId);
      if (!java.nio.file.Files.isDirectory(dir)) continue;
      try (var entries = java.nio.file.Files.list(dir)) {
        for (Path p : entries.filter(p -> NodeHost.replicaOfKey(group, p.getFileName().toString()).isPresent()
            && keys.test(p.getFileName().toString())).toList()) {
          io.chronik.raft.records.PartitionDir.deleteRecursively(p);
        }
      } catch (java.io.IOException e) {
        LOG.warn("deleting the files of deleted partition {} under {} failed ({}); delete them by hand", group, dir,
            e.toString());
      }
    }
  }


  /**
   * A data directory derived for another node id: the application layered this node's settings
   * over a configuration that had already been resolved (its {@code chronik.data-dir} still follows
   * reference.conf's default node id), so several nodes would share one directory.
   */
  static void checkDataDir(Config config, String nodeId) {
    Config reference = com.typesafe.config.ConfigFactory.defaultReference();
    String defaultId = reference.getString("chronik.node-id");
    String staleDir = Path.of("data", defaultId).toString();
    boolean derived = Path.of(reference.getString("chronik.data-dir")).toString().equals(staleDir); // not from the environment
    if (derived && !nodeId.equals(defaultId) && Path.of(config.getString("chronik.data-dir")).toString().equals(staleDir)) {
      throw new IllegalArgumentException("chronik.data-dir is " + staleDir + ", the default for node id '" + defaultId
          + "', but this node is '" + nodeId + "': its settings were layered over an already resolved configuration "
          + "(e.g. parseString(...).withFallback(ConfigFactory.load())). Build it with ConfigFactory.load(yourSettings"
          + ".withFallback(ConfigFactory.defaultApplication())) so that defaults follow chronik.node-id, or set "
          + "chronik.data-dir for each node");
    }
  }

  static Map<String, String> kinds(Config config) {
    Map<String, String> kinds = new LinkedHashMap<>();
    List<String> nodes = ListSetting.read(config, "chronik.cluster.nodes");
    for (TopicSpec t : filesTopics(config, nodes)) {
      for (int p = 0; p < t.partitions(); p++) kinds.put(t.groupId(p), t.stateMachine());
    }
    return Collections.unmodifiableMap(kinds);
  }

  /** A replica message larger than an Artery frame would be dropped silently between nodes. */
  static void checkFrameSize(Config config, ReplicaSettings settings) {
    long frame = config.getBytes("akka.remote.artery.advanced.maximum-frame-size");
    long needed = Math.max(Math.max(settings.maxEntryBytes(), settings.maxAppendBytes()),
        settings.snapshots().chunkBytes()) + 64 * 1024;
    if (needed > frame) {
      throw new IllegalArgumentException("chronik.raft.max-entry-bytes / max-append-bytes / snapshot.chunk-bytes ("
          + settings.maxEntryBytes() + " / " + settings.maxAppendBytes() + " / " + settings.snapshots().chunkBytes()
          + " bytes) need akka.remote.artery.advanced.maximum-frame-size >= "
          + needed + " bytes, but it is " + frame + "; raise the frame size or lower the limits");
    }
  }

  /**
   * Whether this node's replica messages go on gRPC streams ({@code chronik.cluster.peer-transport
   * = grpc}), and with which TLS (the inner optional). Not when Artery runs TLS that chronik.tls
   * did not set up (an application's own {@code akka.remote.artery.ssl}): a plaintext stream
   * would then be a way in that Artery closes.
   */
  static Optional<Optional<PeerTls>> peerStreams(Config config, String nodeId, Optional<PeerTls> tls) {
    String transport = config.getString("chronik.cluster.peer-transport");
    if (transport.equals("artery")) return Optional.empty();
    if (!transport.equals("grpc")) {
      throw new IllegalArgumentException("chronik.cluster.peer-transport must be grpc or artery, got '" + transport + "'");
    }
    if (tls.isEmpty() && config.getString("akka.remote.artery.transport").equals("tls-tcp")) {
      LOG.info("{}: replica messages go over Artery: it runs TLS from akka.remote.artery.ssl, and gRPC streams "
          + "between nodes need their TLS from chronik.tls", nodeId);
      return Optional.empty();
    }
    return Optional.of(tls);
  }

  /** The host this node's peers reach it at: its Artery address's (the canonical hostname, resolved). */
  public static String advertisedHost(ActorSystem<?> system) {
    return Cluster.get(system.classicSystem()).selfAddress().getHost()
        .orElseThrow(() -> new IllegalStateException("this node's Artery address has no host"));
  }

  /** Where the peer endpoint binds: Artery's bind hostname when one is set, else the advertised host. */
  private static String peerBindHost(ActorSystem<?> system) {
    String bind = system.settings().config().getString("akka.remote.artery.bind.hostname");
    return bind.isEmpty() || bind.startsWith("<") ? advertisedHost(system) : bind;
  }

  static Optional<MessageFilter> messageFilter(Config config, String nodeId) {
    String name = config.getString("chronik.cluster.message-filter");
    if (name.isEmpty()) return Optional.empty();
    try {
      return Optional.of((MessageFilter) Class.forName(name).getConstructor(String.class).newInstance(nodeId));
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalArgumentException("chronik.cluster.message-filter: cannot create " + name
          + " (a MessageFilter with a public constructor taking the node id): " + e, e);
    }
  }

  public String nodeId() {
    return nodeId;
  }

  /** Every configured node id (chronik.cluster.nodes). */
  public List<String> nodes() {
    return nodes;
  }

  /** The topics of the configuration files ({@code chronik.topics}), then the metadata group's. */
  public List<TopicSpec> filesTopics() {
    return filesTopics(config, nodes);
  }

  /** Whether {@code group} is a partition this node knows (the files', the metadata group, a runtime topic's). */
  public boolean hasPartition(String group) {
    return groups.containsKey(group);
  }

  /** The partitions and their voters, as configured. */
  public Map<String, Set<String>> partitions() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    groups.forEach((id, g) -> out.put(id, g.voters()));
    return out;
  }

  /**
   * Announces where this node serves its gRPC API; its peers learn it from its next hellos
   * (within {@code chronik.cluster.discovery-interval}) and point clients there. The first
   * endpoint bound is the node's address; later ones (a second listener) are not advertised.
   */
  public void advertiseGrpcAddress(String hostAndPort) {
    if (directory.grpcAddress(nodeId).isEmpty()) directory.learnGrpcAddress(nodeId, hostAndPort);
  }

  /** Announces where this node serves Kafka clients, and its rack; peers learn both from its next hellos. */
  public void advertiseKafka(String hostAndPort, String rack) {
    directory.learnKafka(nodeId, hostAndPort, rack);
  }

  /** Where node {@code id} serves Kafka clients, as far as this node has heard. */
  public Optional<String> kafkaAddress(String id) {
    return directory.kafkaAddress(id);
  }

  /** Node {@code id}'s rack ({@code chronik.rack}), as far as this node has heard. */
  public Optional<String> rack(String id) {
    return directory.rack(id);
  }

  /** Where node {@code id} serves its gRPC API, as far as this node has heard. */
  public Optional<String> grpcAddress(String id) {
    return directory.grpcAddress(id);
  }

  /** Where node {@code id} takes replica messages on gRPC streams, as its hellos say (empty: over Artery). */
  public Optional<String> peerAddress(String id) {
    return directory.peerAddress(id);
  }

  /** The state machine a partition runs: {@code record-log} or {@code key-value}. */
  public Optional<String> kind(String group) {
    return Optional.ofNullable(kinds.get(group));
  }

  public List<String> voters(String group) {
    NodeHost.GroupSpec g = groups.get(group);
    if (g == null) throw new IllegalArgumentException("unknown partition " + group + "; known: " + groups.keySet());
    return List.copyOf(g.voters());
  }

  /**
   * The node placement chose to lead {@code group} when it can, while the group's configuration in
   * force ({@code inForce}) keeps the voters placement gave it ({@link GroupMembers#preferredLeaderIn}).
   */
  public Optional<String> preferredLeader(String group, Optional<Configuration> inForce) {
    NodeHost.GroupSpec g = groups.get(group);
    return g == null ? Optional.empty() : GroupMembers.preferredLeaderIn(g.preferredLeader(), g.voters(), inForce);
  }

  /** The cluster this node's data belongs to; empty until it first read the metadata group. */
  public Optional<String> clusterId() {
    return directory.clusterId(nodeId);
  }

  /** Whether this node runs a replica of {@code group} (one the files placed here, or one a leader added). */
  public boolean hostsReplicaOf(String group) {
    return hosted.containsKey(group);
  }

  /**
   * The nodes that hold {@code group}'s replicas as far as this node knows: those of the latest
   * configuration it learnt ({@link #learnConfiguration}), else the files' voters.
   */
  public List<String> replicaNodes(String group) {
    List<String> learnt = memberNodes.get(group);
    return learnt != null ? learnt : voters(group);
  }

  /** {@code group}'s configuration, as a replica reported it: where its members are. */
  public void learnConfiguration(String group, io.chronik.raft.core.Configuration config) {
    memberNodes.put(group, config.members().stream().map(io.chronik.raft.core.Configuration::nodeOf).distinct()
        .toList());
  }

  /** Tells node {@code nodeId} that its member {@code member} of {@code group} is no member any more. */
  public void retire(String nodeId, String group, String member) {
    directory.host(nodeId).ifPresent(h -> h.tell(new NodeHost.Retire(group, member)));
  }

  public Transport.Stats transportStats() {
    return transportStats;
  }

  /**
   * Asks replica {@code replicaNode} of {@code group}. Fails with {@link UnknownNodeException} at
   * once when that node's address is not known yet. The answer completes a plain {@link CompletableFuture}
   * on the thread that delivers it: the stage Akka's Java ask returns runs every non-async
   * callback asynchronously on the common pool, and where that pool has parallelism 1 (two cores)
   * the JDK runs each such callback on a new thread.
   */
  public <R> CompletionStage<R> ask(String group, String replicaNode, Function<ActorRef<R>, Command> request) {
    return ask(group, replicaNode, request, askTimeout);
  }

  public <R> CompletionStage<R> ask(String group, String replicaNode, Function<ActorRef<R>, Command> request,
      Duration timeout) {
    // A member id (node/replica, as a configuration or a leader hint names it) lives on its node.
    String target = io.chronik.raft.core.Configuration.nodeOf(replicaNode);
    if (directory.foreign(nodeId, target)) {
      return CompletableFuture.failedFuture(new UnknownNodeException("node " + target + " belongs to another cluster ("
          + directory.clusterId(target).orElse("") + "; this one is " + directory.clusterId(nodeId).orElse("")
          + "): nothing is sent to it"));
    }
    Optional<ActorRef<Command>> local = localReplica(group, target);
    if (local.isPresent()) {
      return direct(AskPattern.ask(local.get(), request::apply, timeout, system.scheduler()));
    }
    Optional<ActorRef<NodeHost.Message>> host = directory.host(target);
    if (host.isEmpty()) {
      return CompletableFuture.failedFuture(new UnknownNodeException("the address of node " + replicaNode
          + " is not known yet (it has not joined the cluster or sent anything since this node started); retry shortly"));
    }
    return direct(AskPattern.ask(host.get(),
        (ActorRef<R> replyTo) -> new NodeHost.ForPartition(group, request.apply(replyTo)), timeout, system.scheduler()));
  }

  /** The store (data directory id) node {@code nodeId} runs on, as its hellos said; this node's own too. */
  public Optional<String> storeOf(String nodeId) {
    return directory.store(nodeId);
  }

  /** Sends {@code command} to replica {@code replicaNode} of {@code group}, expecting no answer (dropped when its node is unknown). */
  public void tell(String group, String replicaNode, Command command) {
    String target = io.chronik.raft.core.Configuration.nodeOf(replicaNode);
    Optional<ActorRef<Command>> local = localReplica(group, target);
    if (local.isPresent()) {
      local.get().tell(command);
      return;
    }
    directory.host(target).ifPresent(h -> h.tell(new NodeHost.ForPartition(group, command)));
  }

  /**
   * This node's replica of {@code group} when {@code targetNode} is this node: reached straight,
   * one mailbox hop less than through the host (which routes what other nodes send).
   */
  private Optional<ActorRef<Command>> localReplica(String group, String targetNode) {
    return targetNode.equals(nodeId) ? Optional.ofNullable(hosted.get(group)) : Optional.empty();
  }

  /** Every node this node has heard of: the configured ones and any other (a spare) that said hello, but nodes of another cluster. */
  public List<String> knownNodes() {
    java.util.TreeSet<String> all = new java.util.TreeSet<>(nodes);
    all.addAll(directory.nodes());
    all.removeIf(n -> directory.foreign(nodeId, n));
    return List.copyOf(all);
  }

  /** The same outcome as {@code stage}, as a plain future completed on the completing thread. */
  public static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenCompleteAsync((value, error) -> {
      if (error != null) {
        out.completeExceptionally(error);
      } else {
        out.complete(value);
      }
    }, Runnable::run);
    return out;
  }

  // ---------------------------------------------------------------- membership view

  /**
   * One configured node as this node sees it: {@code state} is {@code self}, an Akka member status
   * ({@code up}, {@code joining}, {@code weakly-up}, {@code leaving}, {@code exiting}, {@code down}),
   * {@code unreachable} (a member the failure detector gave up on), or {@code not-a-member}.
   */
  public record NodeState(String nodeId, String state, Optional<String> address, boolean oldest) {
    public boolean reachable() {
      return !state.equals("unreachable") && !state.equals("down") && !state.equals("not-a-member");
    }
  }

  public List<NodeState> nodeStates() {
    var state = Cluster.get(system.classicSystem()).state();
    Optional<Member> oldest = oldestUp(state);
    List<NodeState> out = new ArrayList<>();
    for (String id : nodes) out.add(stateOf(id, state, oldest));
    return out;
  }

  /** Node {@code id}'s state, any node this node heard of (a spare included). */
  private NodeState stateOf(String id) {
    var state = Cluster.get(system.classicSystem()).state();
    return stateOf(id, state, oldestUp(state));
  }

  private static Optional<Member> oldestUp(akka.cluster.ClusterEvent.CurrentClusterState state) {
    Optional<Member> oldest = Optional.empty();
    for (Member m : state.getMembers()) {
      if (m.status() == MemberStatus.up() && (oldest.isEmpty() || m.isOlderThan(oldest.get()))) oldest = Optional.of(m);
    }
    return oldest;
  }

  private NodeState stateOf(String id, akka.cluster.ClusterEvent.CurrentClusterState state, Optional<Member> oldest) {
    Member member = null;
    for (Member m : state.getMembers()) {
      if (m.hasRole(NodeRole.of(id)) && (member == null || m.status() != MemberStatus.down())) member = m;
    }
    String s;
    if (member == null) {
      s = id.equals(nodeId) ? "self" : "not-a-member";
    } else if (id.equals(nodeId)) {
      s = "self";
    } else if (state.getUnreachable().contains(member)) {
      s = "unreachable";
    } else {
      s = member.status().toString().toLowerCase().replace("weaklyup", "weakly-up");
    }
    Optional<String> address = member != null ? Optional.of(member.address().toString())
        : directory.host(id).map(h -> h.path().address().toString());
    final Member found = member;
    return new NodeState(id, s, address, found != null && oldest.map(o -> o.equals(found)).orElse(false));
  }

  /** Whether this node serves clients, and if not, why (for the gRPC health service and load balancers). */
  public record Health(boolean serving, String reason) {}

  /**
   * Serving once this node is an Up (or weakly-up) member of the cluster that reaches a majority of
   * the configured nodes, itself included; not while it joins, leaves or stops, nor while it is cut
   * off from most of its peers (its replicas could not commit a write then, and would answer safe
   * reads only until their lease ran out).
   */
  public Health health() {
    if (CoordinatedShutdown.get(system.classicSystem()).getShutdownReason().isPresent()) {
      return new Health(false, "stopping");
    }
    MemberStatus self = Cluster.get(system.classicSystem()).selfMember().status();
    if (self != MemberStatus.up() && self != MemberStatus.weaklyUp()) {
      return new Health(false, "this node is " + self.toString().toLowerCase() + " in the Akka Cluster, not up");
    }
    long reachable = nodeStates().stream().filter(NodeState::reachable).count();
    if (reachable <= nodes.size() / 2) {
      return new Health(false, "this node reaches " + reachable + " of the " + nodes.size()
          + " configured nodes, itself included: no majority");
    }
    return new Health(true, "up, reaching " + reachable + " of " + nodes.size() + " nodes");
  }

  /** Whether membership considers {@code id} reachable (self always is; unknown nodes are not). */
  public boolean reachable(String id) {
    if (id.equals(nodeId)) return true;
    return stateOf(id).reachable();
  }

  /**
   * Whether {@code id} is an admitted, reachable member: up (or this node). A node still joining
   * (a restarted one waits for membership to converge) drops what is sent to it by reference
   * until it is admitted, so a request sent there would wait out its whole timeout.
   */
  public boolean serving(String id) {
    if (id.equals(nodeId)) return true;
    String state = stateOf(id).state();
    return state.equals("up") || state.equals("weakly-up");
  }

  // ---------------------------------------------------------------- stopping

  /**
   * Hands every leadership of this node's replicas to another replica and completes when this node
   * leads nothing, or after {@code timeout} (then the rest elect a leader the usual way).
   */
  public CompletionStage<Done> drain(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<Done> done = new CompletableFuture<>();
    drainRound(deadline, done);
    return done;
  }

  private void drainRound(long deadline, CompletableFuture<Done> done) {
    List<CompletableFuture<Boolean>> leading = new ArrayList<>();
    for (String group : groups.keySet()) {
      if (!hostsReplicaOf(group)) continue;
      leading.add(this.<ReplicaControl.DrainStatus>ask(group, nodeId, ReplicaControl.Drain::new, Duration.ofSeconds(1))
          .toCompletableFuture().handle((s, e) -> s != null && s.leader() && s.handingOver()));
    }
    CompletableFuture.allOf(leading.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
      long stillLeading = leading.stream().filter(CompletableFuture::join).count(); // and handing over
      if (stillLeading == 0) {
        done.complete(Done.done());
      } else if (System.nanoTime() >= deadline) {
        system.log().warn("{} could not hand over {} leadership(s) within the hand-over timeout; those partitions "
            + "elect new leaders", nodeId, stillLeading);
        done.complete(Done.done());
      } else {
        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> drainRound(deadline, done));
      }
    });
  }
}
