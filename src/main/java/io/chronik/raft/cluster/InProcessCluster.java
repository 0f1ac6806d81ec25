package io.chronik.raft.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.LocalQuery;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.QueryReply;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.ClientProtocol.StatusReply;
import io.chronik.raft.replica.ReplicaMetrics;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.replica.ReadProtocol;
import io.chronik.raft.replica.ReplicaSettings;
import io.chronik.raft.replica.StorageFactory;
import io.chronik.raft.storage.ReplicaStorage;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * Several nodes of chronik-raft inside one ActorSystem, each with its own {@link NodeHost} and
 * {@link Transport}, found through one shared {@link PeerDirectory}. Used by the demo and the in-process benchmarks; every
 * replica keeps its durable state in the configured journal under {@code <node>/<group>}.
 */
public final class InProcessCluster implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final Map<String, ActorRef<NodeHost.Message>> hosts;
  private final Duration askTimeout = Duration.ofSeconds(10);
  public final Transport.Stats transportStats;

  private InProcessCluster(ActorSystem<Void> system, Map<String, ActorRef<NodeHost.Message>> hosts,
      Transport.Stats stats) {
    this.system = system;
    this.hosts = hosts;
    this.transportStats = stats;
  }

  /** Starts the nodes with the journal named by {@code chronik.raft.journal-plugin-id}. */
  public static InProcessCluster start(Config config, List<String> nodeIds, List<NodeHost.GroupSpec> groups) {
    return start(config, nodeIds, groups,
        (node, group) -> ReplicaStorage.factory(config, node, group));
  }

  public static InProcessCluster start(Config config, List<String> nodeIds, List<NodeHost.GroupSpec> groups,
      BiFunction<String, String, StorageFactory> storage) {
    ReplicaSettings settings = ReplicaSettings.fromConfig(config.getConfig("chronik.raft"));
    Transport.Stats stats = new Transport.Stats();
    PeerDirectory directory = new PeerDirectory();
    CompletableFuture<Map<String, ActorRef<NodeHost.Message>>> started = new CompletableFuture<>();
    Behavior<Void> guardian = Behaviors.setup(ctx -> {
      Map<String, ActorRef<NodeHost.Message>> refs = new LinkedHashMap<>();
      for (String node : nodeIds) {
        ActorRef<NodeHost.Message> host = ctx.spawn(NodeHost.create(node, groups, settings, directory,
            self -> Transport.create(node, self, directory, Optional.empty(), stats, ctx.getSystem()), storage,
            // No meters: nothing scrapes these nodes; the tools read replica snapshots (readMetrics).
            new CompositeMeterRegistry()), "node-" + node);
        directory.learn(node, host);
        refs.put(node, host);
      }
      started.complete(Map.copyOf(refs));
      return Behaviors.empty();
    });
    ActorSystem<Void> system = ActorSystem.create(guardian, "chronik", config);
    try {
      return new InProcessCluster(system, started.get(30, TimeUnit.SECONDS), stats);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("the in-process cluster did not start", e);
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public List<String> nodes() {
    return List.copyOf(hosts.keySet());
  }

  private ActorRef<NodeHost.Message> host(String node) {
    ActorRef<NodeHost.Message> host = hosts.get(node);
    if (host == null) throw new IllegalArgumentException("no node " + node + "; nodes are " + hosts.keySet());
    return host;
  }

  public CompletionStage<ProposeReply> propose(String node, String group, ByteString command) {
    return AskPattern.ask(host(node),
        replyTo -> new NodeHost.ForPartition(group, new Propose(command, replyTo)), askTimeout,
        system.scheduler());
  }

  public CompletionStage<QueryReply> localQuery(String node, String group, ByteString query) {
    return AskPattern.ask(host(node),
        replyTo -> new NodeHost.ForPartition(group, new LocalQuery(query, replyTo)), askTimeout,
        system.scheduler());
  }

  /** A read under {@code policy} (empty: the configured default), served by {@code node} or its leader. */
  public CompletionStage<ReadProtocol.ReadReply> read(String node, String group, ByteString query,
      Optional<ReadPolicy> policy, long minIndex) {
    return AskPattern.ask(host(node),
        replyTo -> new NodeHost.ForPartition(group, new ReadProtocol.Read(query, policy, minIndex, replyTo)),
        askTimeout, system.scheduler());
  }

  public CompletionStage<ReplicaMetrics.Snapshot> readMetrics(String node, String group) {
    return AskPattern.ask(host(node),
        replyTo -> new NodeHost.ForPartition(group, new ReadProtocol.GetReplicaMetrics(replyTo)), askTimeout,
        system.scheduler());
  }

  public CompletionStage<StatusReply> status(String node, String group) {
    return AskPattern.ask(host(node),
        replyTo -> new NodeHost.ForPartition(group, new GetStatus(replyTo)), askTimeout, system.scheduler());
  }

  /** Blocks until some node leads {@code group} and has applied its log, or throws after {@code timeout}. */
  public Status awaitLeader(String group, Duration timeout) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String node : hosts.keySet()) {
        Optional<Status> s = statusNow(node, group);
        if (s.isPresent() && s.get().role().equals("leader") && s.get().appliedIndex() == s.get().lastIndex()) {
          return s.get();
        }
      }
      Thread.sleep(50); // a person waiting at the command line; replicas never poll
    }
    throw new TimeoutException("no leader for " + group + " within " + timeout
        + ": are a majority of its replicas running?");
  }

  /** This node's replica status of {@code group}, if it answers within a second. */
  public Optional<Status> statusNow(String node, String group) {
    try {
      StatusReply r = status(node, group).toCompletableFuture().get(1, TimeUnit.SECONDS);
      return r instanceof Status s ? Optional.of(s) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the in-process cluster did not stop within 30 s", e);
    }
  }
}
