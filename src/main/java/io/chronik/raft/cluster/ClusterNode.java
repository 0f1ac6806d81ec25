package io.chronik.raft.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.ShardingMessageExtractor;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import com.typesafe.config.Config;
import io.chronik.raft.replica.Command;
import io.chronik.raft.replica.Envelope;
import io.chronik.raft.replica.GroupMembers;
import io.chronik.raft.replica.Replica;
import io.chronik.raft.replica.ReplicaSettings;
import io.chronik.raft.storage.JournalStorage;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One chronik node in an Akka Cluster: its replicas are sharding entities (one per shard, placed
 * by {@link PlacementAllocationStrategy} on the node that owns them, remembered so they restart
 * by themselves), and any node reaches any replica by its id.
 */
public final class ClusterNode {
  public static final EntityTypeKey<Command> REPLICA = EntityTypeKey.create(Command.class, "chronik-replica");

  private final ActorSystem<?> system;
  private final String nodeId;
  private final Map<String, PartitionHost.GroupSpec> groups;
  private final ActorRef<ShardingEnvelope<Command>> region;
  private final Duration askTimeout;

  private ClusterNode(ActorSystem<?> system, String nodeId, Map<String, PartitionHost.GroupSpec> groups,
      ActorRef<ShardingEnvelope<Command>> region) {
    this.system = system;
    this.nodeId = nodeId;
    this.groups = groups;
    this.region = region;
    this.askTimeout = system.settings().config().getDuration("chronik.request-timeout");
  }

  /**
   * Starts this node's part: sharding for replicas, and its own replicas. The system must be a
   * cluster member with roles {@code chronik} and {@link ReplicaId#nodeRole} of its node id.
   */
  public static ClusterNode start(ActorSystem<?> system) {
    Config config = system.settings().config();
    String nodeId = config.getString("chronik.node-id");
    Set<String> nodes = new LinkedHashSet<>(config.getStringList("chronik.cluster.nodes"));
    if (!nodes.contains(nodeId)) {
      throw new IllegalArgumentException("chronik.node-id '" + nodeId + "' is not in chronik.cluster.nodes " + nodes);
    }
    Map<String, PartitionHost.GroupSpec> groups = new LinkedHashMap<>();
    for (TopicSpec t : TopicSpec.fromConfig(config.getConfig("chronik"))) {
      for (PartitionHost.GroupSpec g : t.groups(nodes)) groups.put(g.groupId(), g);
    }
    ReplicaSettings settings = ReplicaSettings.fromConfig(config.getConfig("chronik.raft"));
    checkFrameSize(config, settings);
    String journal = config.getString("chronik.raft.journal-plugin-id");
    ClusterSharding sharding = ClusterSharding.get(system);
    Random seeds = new SecureRandom();
    ActorRef<Envelope> transport = system.systemActorOf(shardedTransport(sharding, messageFilter(config, nodeId)),
        "chronik-transport", akka.actor.typed.Props.empty());
    ActorRef<ShardingEnvelope<Command>> region = sharding.init(Entity.of(REPLICA, ctx -> {
          ReplicaId id = ReplicaId.parse(ctx.getEntityId());
          if (!id.nodeId().equals(nodeId)) {
            // Never run a replica under another node's identity: its durable state is not here.
            throw new IllegalStateException("replica " + id + " was allocated to node " + nodeId);
          }
          PartitionHost.GroupSpec g = groups.get(id.groupId());
          if (g == null) throw new IllegalStateException("no partition " + id.groupId() + " is configured");
          return Replica.create(settings, new GroupMembers(g.groupId(), nodeId, g.voters()), transport,
              JournalStorage.factory(nodeId + "/" + g.groupId(), journal), g.stateMachine(),
              new Random(seeds.nextLong()));
        })
        .withMessageExtractor(new OneReplicaPerShard())
        .withAllocationStrategy(new PlacementAllocationStrategy(system.classicSystem()))
        .withRole("chronik")
        .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)));
    ClusterNode node = new ClusterNode(system, nodeId, Map.copyOf(groups), region);
    node.wakeOwnReplicas();
    return node;
  }

  /** A replica message larger than an Artery frame would be dropped silently between nodes. */
  static void checkFrameSize(Config config, ReplicaSettings settings) {
    long frame = config.getBytes("akka.remote.artery.advanced.maximum-frame-size");
    long needed = Math.max(settings.maxEntryBytes(), settings.maxAppendBytes()) + 64 * 1024;
    if (needed > frame) {
      throw new IllegalArgumentException("chronik.raft.max-entry-bytes / max-append-bytes (" + settings.maxEntryBytes()
          + " / " + settings.maxAppendBytes() + " bytes) need akka.remote.artery.advanced.maximum-frame-size >= "
          + needed + " bytes, but it is " + frame + "; raise the frame size or lower the limits");
    }
  }

  /** Starts the replicas this node owns (remember-entities keeps them running from then on). */
  private void wakeOwnReplicas() {
    for (PartitionHost.GroupSpec g : groups.values()) {
      if (g.voters().contains(nodeId)) {
        region.tell(new ShardingEnvelope<>(new ReplicaId(g.groupId(), nodeId).entityId(),
            new io.chronik.raft.replica.ClientProtocol.GetStatus(system.ignoreRef())));
      }
    }
  }

  private static Behavior<Envelope> shardedTransport(ClusterSharding sharding, java.util.Optional<MessageFilter> filter) {
    return Behaviors.setup(ctx -> Behaviors.receive(Envelope.class)
        .onMessage(Envelope.class, e -> {
          akka.cluster.sharding.typed.javadsl.EntityRef<Command> to =
              sharding.entityRefFor(REPLICA, new ReplicaId(e.message().groupId(), e.to()).entityId());
          MessageFilter.Decision d = filter.isPresent()
              ? filter.get().decide(e.message().from(), e.to(), e.message())
              : new MessageFilter.Deliver();
          if (d instanceof MessageFilter.Deliver) {
            to.tell(e.message());
          } else if (d instanceof MessageFilter.Duplicate) {
            to.tell(e.message());
            to.tell(e.message());
          } else if (d instanceof MessageFilter.Delay delay) {
            ctx.getSystem().scheduler().scheduleOnce(delay.by(), () -> to.tell(e.message()), ctx.getExecutionContext());
          }
          return Behaviors.same();
        })
        .build());
  }

  private static java.util.Optional<MessageFilter> messageFilter(Config config, String nodeId) {
    String name = config.getString("chronik.cluster.message-filter");
    if (name.isEmpty()) return java.util.Optional.empty();
    try {
      return java.util.Optional.of((MessageFilter) Class.forName(name).getConstructor(String.class).newInstance(nodeId));
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalArgumentException("chronik.cluster.message-filter: cannot create " + name
          + " (a MessageFilter with a public constructor taking the node id): " + e, e);
    }
  }

  /** Shard id = entity id, so that placement decides per replica. */
  private static final class OneReplicaPerShard extends ShardingMessageExtractor<ShardingEnvelope<Command>, Command> {
    @Override
    public String entityId(ShardingEnvelope<Command> envelope) {
      return envelope.entityId();
    }

    @Override
    public String shardId(String entityId) {
      return entityId;
    }

    @Override
    public Command unwrapMessage(ShardingEnvelope<Command> envelope) {
      return envelope.message();
    }
  }

  public String nodeId() {
    return nodeId;
  }

  /**
   * Whether node {@code id} is an Up member now. Requests go only to replicas on such nodes: one
   * for a replica whose node is down would wait in sharding until it times out.
   */
  public boolean nodeUp(String id) {
    String role = ReplicaId.nodeRole(id);
    for (akka.cluster.Member m : akka.cluster.Cluster.get(system.classicSystem()).state().getMembers()) {
      if (m.hasRole(role) && m.status() == akka.cluster.MemberStatus.up()) return true;
    }
    return false;
  }

  /** Every configured node id (chronik.cluster.nodes). */
  public List<String> nodes() {
    return List.copyOf(system.settings().config().getStringList("chronik.cluster.nodes"));
  }

  /** The partitions and their voters, as configured. */
  public Map<String, Set<String>> partitions() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    groups.forEach((id, g) -> out.put(id, g.voters()));
    return out;
  }

  /**
   * Asks replica {@code nodeId} of {@code group}, wherever it runs. The answer completes a plain
   * {@link CompletableFuture} on the thread that delivers it: the stage Akka's Java ask returns
   * runs every non-async callback asynchronously on the common pool, and where that pool has
   * parallelism 1 (two cores) the JDK runs each such callback on a new thread.
   */
  public <R> CompletionStage<R> ask(String group, String replicaNode, Function<ActorRef<R>, Command> request) {
    return direct(AskPattern.ask(region,
        (ActorRef<R> replyTo) -> new ShardingEnvelope<>(new ReplicaId(group, replicaNode).entityId(),
            request.apply(replyTo)), askTimeout, system.scheduler()));
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

  public List<String> voters(String group) {
    PartitionHost.GroupSpec g = groups.get(group);
    if (g == null) throw new IllegalArgumentException("unknown partition " + group + "; known: " + groups.keySet());
    return List.copyOf(g.voters());
  }
}
