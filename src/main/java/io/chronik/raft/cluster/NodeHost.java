package io.chronik.raft.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.LocalQuery;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.UnknownPartition;
import io.chronik.raft.replica.Command;
import io.chronik.raft.replica.GroupMembers;
import io.chronik.raft.replica.PeerSender;
import io.chronik.raft.replica.RaftMessage;
import io.chronik.raft.replica.ReplicaLatency;
import io.chronik.raft.replica.ReadProtocol;
import io.chronik.raft.replica.Replica;
import io.chronik.raft.replica.ReplicaSettings;
import io.chronik.raft.replica.StorageFactory;
import io.chronik.raft.statemachine.StateMachine;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The replicas one node hosts, as its children, at a stable actor path ({@code /system/chronik-node}
 * in a cluster): the node starts them itself and a replica that fails is restarted with backoff
 * and recovers from its journal — no coordinator, singleton or membership decision is involved in
 * a replica's life. Peer messages and client requests for a partition arrive here and go to its
 * replica; a request for a partition this node does not host is answered with
 * {@link UnknownPartition}, never dropped silently.
 */
public final class NodeHost {
  private NodeHost() {}

  public interface Message {}

  /** A client request (or local control message) for the replica of {@code groupId} on this node. */
  public record ForPartition(String groupId, Command command) implements Message {}

  /**
   * A replica message from another node; {@code senderHost} is that node's host, learned into the
   * {@link PeerDirectory} so that the answer finds its way even before membership knows the sender.
   */
  public record FromPeer(RaftMessage message, ActorRef<Message> senderHost, String toMember, String toStore)
      implements Message {
    /** From a node of before member ids: for this node's replica of the group, unchecked. */
    public FromPeer(RaftMessage message, ActorRef<Message> senderHost) {
      this(message, senderHost, "", "");
    }
  }

  /**
   * A node's whereabouts ({@link PeerDiscovery}): its host actor, where it serves gRPC (empty when
   * it does not, or not yet), its store (the id of its data directory), the digest of its
   * configuration files (empty from a node of before store ids), the cluster its data belongs
   * to (empty until it learnt it), where it serves Kafka clients and its rack, and where it takes
   * replica messages on a gRPC stream ({@link PeerEndpoint}; empty: send over Artery). A hello
   * from a node this host did not know where to find, or knew elsewhere, is answered with a hello
   * of its own, so that the two find each other in one exchange; one from a node of another
   * cluster is refused.
   */
  public record Hello(String nodeId, ActorRef<Message> host, String grpcAddress, String storeId, String filesHash,
      String clusterId, String kafkaAddress, String rack, String peerAddress) implements Message {
    public Hello(String nodeId, ActorRef<Message> host, String grpcAddress) {
      this(nodeId, host, grpcAddress, "", "", "", "", "", "");
    }

    public Hello(String nodeId, ActorRef<Message> host) {
      this(nodeId, host, "");
    }

    /** This node's hello, as its directory knows it. */
    static Hello of(String nodeId, ActorRef<Message> host, PeerDirectory directory) {
      return new Hello(nodeId, host, directory.grpcAddress(nodeId).orElse(""), directory.store(nodeId).orElse(""),
          directory.filesHash(nodeId).orElse(""), directory.clusterId(nodeId).orElse(""),
          directory.kafkaAddress(nodeId).orElse(""), directory.rack(nodeId).orElse(""),
          directory.peerAddress(nodeId).orElse(""));
    }
  }

  /**
   * One Raft group: its id, the voters the configuration files place it on (node ids), its
   * preferred leader, and its state machine: {@code stateMachineAt} gives the state machine of the
   * replica whose files are keyed {@code key} ({@link #storageKey}).
   */
  public record GroupSpec(String groupId, Set<String> voters, Optional<String> preferredLeader,
      Supplier<StateMachine> stateMachine, Function<String, Supplier<StateMachine>> stateMachineAt) {
    public GroupSpec(String groupId, Set<String> voters, Optional<String> preferredLeader,
        Supplier<StateMachine> stateMachine) {
      this(groupId, voters, preferredLeader, stateMachine, key -> stateMachine);
    }

    public GroupSpec(String groupId, Set<String> voters, Supplier<StateMachine> stateMachine) {
      this(groupId, voters, Optional.empty(), stateMachine);
    }
  }

  /**
   * Where member {@code member}'s files of {@code group} are keyed: the group's id for the replica
   * the files placed (replica 0, as before member ids), {@code group.rN} for replica N, so that a
   * member added again never finds an earlier member's data.
   */
  public static String storageKey(String group, String member) {
    long replica = Configuration.replicaIdOf(member);
    return replica == 0 ? group : group + ".r" + replica;
  }

  /** The replica id a storage key of {@code group} is for ({@link #storageKey}); empty for another group's key. */
  static Optional<Long> replicaOfKey(String group, String key) {
    if (key.equals(group)) return Optional.of(0L);
    String prefix = group + ".r";
    if (!key.startsWith(prefix) || key.length() == prefix.length()) return Optional.empty();
    String digits = key.substring(prefix.length());
    return digits.chars().allMatch(Character::isDigit) && digits.length() < 19 ? Optional.of(Long.parseLong(digits))
        : Optional.empty();
  }

  /**
   * Member {@code member} of {@code groupId} on this node is no member of its group any more (a
   * move took it out): its replica stops and is never started again, not even from the files.
   */
  public record Retire(String groupId, String member) implements Message {}

  /**
   * Where a node keeps the members it retired, per group, so that a restart does not bring them
   * back (the configuration files still place them here).
   */
  public interface Tombstones {
    /** Per group, the latest member of this node retired from it. */
    Map<String, String> retired();

    void retire(String group, String member);

    static Tombstones inMemory() {
      Map<String, String> retired = new java.util.concurrent.ConcurrentHashMap<>();
      return new Tombstones() {
        @Override
        public Map<String, String> retired() {
          return Map.copyOf(retired);
        }

        @Override
        public void retire(String group, String member) {
          retired.put(group, member);
        }
      };
    }
  }

  /**
   * Deletes the files this node keeps for members of a group: those of every storage key
   * ({@link #storageKey}) of {@code group} that {@code keys} accepts.
   */
  public interface FileJanitor {
    FileJanitor NONE = (group, keys) -> {};

    void delete(String group, java.util.function.Predicate<String> keys);
  }

  /** The files of {@code groupId}'s members this node retired are due for deletion. */
  private record DeleteRetired(String groupId) implements Message {}

  /**
   * Partitions of topics created at runtime, as the metadata group placed them: this node starts
   * its replica of each that places a voter here. Their voters come from a committed record that
   * every node reads alike, not from the files, so no agreement on the files is needed to record
   * them in the group's log.
   */
  public record AddGroups(List<GroupSpec> groups) implements Message {}

  /**
   * The partition's topic was deleted: this node stops its replica, and once it has stopped (its
   * storage with it) runs {@code deleteFiles}.
   */
  public record DropGroup(String groupId, Runnable deleteFiles) implements Message {}

  private record Dropped(String groupId, Runnable deleteFiles) implements Message {}

  /** Re-offers the groups whose configuration is still the files' the configuration to record ({@link PinFiles}). */
  private enum PinTick implements Message { INSTANCE }

  /**
   * @param transportFor makes, from this host's own reference (the sender named in each message),
   *     where this node's replicas send their peer messages
   * @param registry where the replicas record what they export as it happens (read latency, write stages)
   */
  public static Behavior<Message> create(
      String nodeId,
      List<GroupSpec> groups,
      ReplicaSettings settings,
      PeerDirectory directory,
      java.util.function.Function<ActorRef<Message>, PeerSender> transportFor,
      BiFunction<String, String, StorageFactory> storage,
      MeterRegistry registry) {
    return create(nodeId, groups, settings, directory, transportFor, storage, registry, Tombstones.inMemory(),
        new java.util.concurrent.ConcurrentHashMap<>(), FileJanitor.NONE, Duration.ofHours(1));
  }

  /**
   * @param tombstones the members this node retired, kept across restarts
   * @param hostedView the replica this node runs for each group, kept up to date by this actor (it is
   *     the host's own record of them): the node's own client requests go to it straight, without a
   *     hop through this actor
   * @param janitor deletes the files of members this node retired, {@code removedDataGrace} (at least a
   *     second) after their retirement, or after this start for those retired before
   */
  public static Behavior<Message> create(
      String nodeId,
      List<GroupSpec> groups,
      ReplicaSettings settings,
      PeerDirectory directory,
      java.util.function.Function<ActorRef<Message>, PeerSender> transportFor,
      BiFunction<String, String, StorageFactory> storage,
      MeterRegistry registry,
      Tombstones tombstones,
      Map<String, ActorRef<Command>> hostedView,
      FileJanitor janitor,
      Duration removedDataGrace) {
    Duration grace = removedDataGrace.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : removedDataGrace;
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      PeerSender transport = transportFor.apply(ctx.getSelf());
      Hosted hosted = new Hosted(ctx, nodeId, groups, settings, transport, storage, registry,
          directory.store(nodeId).orElse(Configuration.LEGACY_STORE), tombstones, hostedView);
      for (GroupSpec g : groups) {
        if (g.voters().contains(nodeId)) hosted.start(g, nodeId);
      }
      timers.startTimerWithFixedDelay(PinTick.INSTANCE, PIN_INTERVAL);
      for (String group : tombstones.retired().keySet()) {
        timers.startSingleTimer("retired-" + group, new DeleteRetired(group), grace);
      }
      return Behaviors.receive(Message.class)
          .onMessage(ForPartition.class, m -> route(ctx, hosted.replicas, m))
          .onMessage(FromPeer.class, m -> fromPeer(ctx, hosted, directory, m))
          .onMessage(Retire.class, m -> {
            hosted.retire(m.groupId(), m.member());
            timers.startSingleTimer("retired-" + m.groupId(), new DeleteRetired(m.groupId()), grace);
            return Behaviors.same();
          })
          .onMessage(DeleteRetired.class, m -> {
            hosted.deleteRetired(m.groupId(), janitor);
            return Behaviors.same();
          })
          .onMessage(AddGroups.class, m -> {
            for (GroupSpec g : m.groups()) {
              hosted.specs.put(g.groupId(), g);
              hosted.runtime.add(g.groupId());
              if (g.voters().contains(nodeId) && !hosted.replicas.containsKey(g.groupId())) hosted.start(g, nodeId);
            }
            return Behaviors.same();
          })
          .onMessage(DropGroup.class, m -> {
            hosted.drop(m);
            return Behaviors.same();
          })
          .onMessage(Dropped.class, m -> {
            hosted.offActorThread(m.deleteFiles());
            return Behaviors.same();
          })
          .onMessage(PinTick.class, m -> {
            hosted.offerFilesConfigurations(directory);
            return Behaviors.same();
          })
          .onMessage(Hello.class, m -> {
            if (m.nodeId().equals(nodeId)) return Behaviors.same();
            directory.learnClusterId(m.nodeId(), m.clusterId());
            if (directory.foreign(nodeId, m.nodeId())) {
              hosted.refusals.warn("refusing node " + m.nodeId() + " at " + m.host().path().address() + ": its data "
                  + "belongs to cluster " + m.clusterId() + ", and this node's to cluster "
                  + directory.clusterId(nodeId).orElse("") + " (its seeds or data directory are another cluster's); "
                  + "no message is exchanged with it");
              return Behaviors.same();
            }
            if (!m.grpcAddress().isEmpty()) directory.learnGrpcAddress(m.nodeId(), m.grpcAddress());
            directory.learnIdentity(m.nodeId(), m.storeId(), m.filesHash());
            directory.learnKafka(m.nodeId(), m.kafkaAddress(), m.rack());
            directory.learnPeerAddress(m.nodeId(), m.peerAddress());
            if (directory.learn(m.nodeId(), m.host())) {
              ctx.getLog().debug("node {} is at {} (hello)", m.nodeId(), m.host().path().address());
              ctx.getSystem().classicSystem().actorSelection(m.host().path().toString())
                  .tell(Hello.of(nodeId, ctx.getSelf(), directory), akka.actor.ActorRef.noSender());
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  static final Duration PIN_INTERVAL = Duration.ofSeconds(1);

  private static Behavior<Message> fromPeer(ActorContext<Message> ctx, Hosted hosted, PeerDirectory directory,
      FromPeer m) {
    RaftMessage msg = m.message();
    if (directory.foreign(hosted.nodeId, Configuration.nodeOf(msg.from()))) return Behaviors.same(); // refused at hello
    if (directory.learn(Configuration.nodeOf(msg.from()), m.senderHost())) {
      ctx.getLog().debug("node {} is at {}", msg.from(), m.senderHost().path().address());
    }
    if (!m.toStore().isEmpty() && !m.toStore().equals(hosted.store)) {
      hosted.refusals.warn("dropping " + msg.getClass().getSimpleName() + " for " + m.toMember() + " of "
          + msg.groupId() + " from " + msg.from() + ": it is for store " + m.toStore() + ", and this node's store is "
          + hosted.store + " (this node's data was replaced; what it held can only rejoin as a new member)");
      return Behaviors.same();
    }
    Optional<ActorRef<Command>> replica = hosted.forMessage(m);
    if (replica.isPresent()) {
      replica.get().tell(msg);
    } else {
      hosted.refusals.warn("dropping " + msg.getClass().getSimpleName() + " from " + msg.from() + " for "
          + (m.toMember().isEmpty() ? "this node's replica" : m.toMember()) + " of partition " + msg.groupId()
          + ", which this node does not host (hosted: " + hosted.members + ")");
    }
    return Behaviors.same();
  }

  /**
   * The replicas this node runs, one per group: those the files place here, started with the node,
   * and those a leader's message creates (a member added to the group's replicated configuration:
   * it starts knowing no configuration and learns it from the leader's log). A message for a later
   * member of the same group on this node replaces the replica it has (a member is never added
   * twice, so the earlier one was removed).
   */
  private static final class Hosted {
    final ActorContext<Message> ctx;
    final String nodeId;
    final Map<String, GroupSpec> specs = new TreeMap<>();
    /** The groups of runtime topics ({@link AddGroups}). */
    final Set<String> runtime = new java.util.HashSet<>();
    final ReplicaSettings settings;
    final PeerSender transport;
    final BiFunction<String, String, StorageFactory> storage;
    final MeterRegistry registry;
    final String store;
    /** The replica of each group, written only by this actor; shared with the node's client routing. */
    final Map<String, ActorRef<Command>> replicas;
    final Map<String, String> members = new TreeMap<>();
    final Tombstones tombstones;
    final Random seeds = new SecureRandom();
    final io.chronik.raft.cluster.RateLimitedLog refusals;
    int spawned;

    Hosted(ActorContext<Message> ctx, String nodeId, List<GroupSpec> groups, ReplicaSettings settings,
        PeerSender transport, BiFunction<String, String, StorageFactory> storage, MeterRegistry registry,
        String store, Tombstones tombstones, Map<String, ActorRef<Command>> hostedView) {
      this.tombstones = tombstones;
      this.replicas = hostedView;
      this.ctx = ctx;
      this.nodeId = nodeId;
      for (GroupSpec g : groups) specs.put(g.groupId(), g);
      this.settings = settings;
      this.transport = transport;
      this.storage = storage;
      this.registry = registry;
      this.store = store;
      this.refusals = new io.chronik.raft.cluster.RateLimitedLog(ctx.getLog(), Duration.ofSeconds(10));
    }

    void start(GroupSpec g, String member) {
      if (retired(g.groupId(), member)) {
        ctx.getLog().info("partition {}: not starting {}: it was removed from the group (retired)", g.groupId(), member);
        return;
      }
      String key = storageKey(g.groupId(), member);
      Set<String> filesVoters = member.equals(nodeId) ? g.voters() : Set.of();
      Behavior<Command> replica = Replica.create(settings,
          new GroupMembers(g.groupId(), member, filesVoters,
              g.preferredLeader().filter(filesVoters::contains)), transport,
          storage.apply(nodeId, key), g.stateMachineAt().apply(key), new ReplicaLatency(registry, nodeId, g.groupId()),
          new Random(seeds.nextLong()));
      Behavior<Command> supervised = Behaviors.supervise(replica)
          .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
      ActorRef<Command> ref = ctx.spawn(supervised,
          "replica-" + URLEncoder.encode(key, StandardCharsets.UTF_8) + "-" + (++spawned));
      replicas.put(g.groupId(), ref);
      members.put(g.groupId(), member);
    }

    /** Whether {@code member}, or a later member of this node, was retired from {@code group}. */
    boolean retired(String group, String member) {
      String latest = tombstones.retired().get(group);
      return latest != null && Configuration.replicaIdOf(member) <= Configuration.replicaIdOf(latest);
    }

    void retire(String group, String member) {
      if (!Configuration.nodeOf(member).equals(nodeId) || retired(group, member)) return;
      tombstones.retire(group, member);
      if (member.equals(members.get(group))) {
        ctx.stop(replicas.remove(group));
        members.remove(group);
        ctx.getLog().info("partition {}: {} is no member any more; its replica stopped and will not start again (its "
            + "files are deleted after chronik.membership.removed-data-grace)", group, member);
      }
    }

    /**
     * Deletes the files of {@code group}'s members on this node up to the latest one retired, the
     * member it runs now excepted (members are numbered upwards, so that one is later).
     */
    void deleteRetired(String group, FileJanitor janitor) {
      String latest = tombstones.retired().get(group);
      if (latest == null) return;
      long retiredId = Configuration.replicaIdOf(latest);
      String running = members.get(group);
      String keep = running == null ? null : storageKey(group, running);
      ctx.getLog().info("partition {}: deleting the files of this node's removed members up to {}", group, latest);
      java.util.function.Predicate<String> keys = key -> !key.equals(keep) && replicaOfKey(group, key)
          .map(id -> id <= retiredId).orElse(false);
      offActorThread(() -> janitor.delete(group, keys));
    }

    /** Deleting files runs on the blocking dispatcher: a large partition takes a while. */
    void offActorThread(Runnable fileWork) {
      java.util.concurrent.CompletableFuture.runAsync(fileWork,
          ctx.getSystem().dispatchers().lookup(akka.actor.typed.DispatcherSelector.blocking()));
    }

    void drop(DropGroup m) {
      specs.remove(m.groupId());
      runtime.remove(m.groupId());
      members.remove(m.groupId());
      ActorRef<Command> replica = replicas.remove(m.groupId());
      if (replica == null) {
        ctx.getSelf().tell(new Dropped(m.groupId(), m.deleteFiles()));
      } else {
        ctx.watchWith(replica, new Dropped(m.groupId(), m.deleteFiles()));
        ctx.stop(replica);
      }
    }

    /** The replica a peer message is for; created when a leader or candidate addresses a new member here. */
    Optional<ActorRef<Command>> forMessage(FromPeer m) {
      String group = m.message().groupId();
      ActorRef<Command> current = replicas.get(group);
      String to = m.toMember();
      if (to.isEmpty() || to.equals(members.get(group))) return Optional.ofNullable(current);
      if (!Configuration.nodeOf(to).equals(nodeId)) return Optional.empty();
      long wanted = Configuration.replicaIdOf(to);
      String hostedMember = members.get(group);
      if (hostedMember != null && Configuration.replicaIdOf(hostedMember) >= wanted) return Optional.empty(); // stale
      if (retired(group, to)) return Optional.empty();
      GroupSpec spec = specs.get(group);
      boolean fromLeaderOrCandidate = m.message() instanceof io.chronik.raft.replica.AppendEntries
          || m.message() instanceof io.chronik.raft.replica.InstallSnapshot
          || m.message() instanceof io.chronik.raft.replica.RequestVote;
      if (spec == null || !fromLeaderOrCandidate || m.toStore().isEmpty()) return Optional.empty();
      if (current != null) {
        ctx.getLog().info("partition {}: member {} replaces {} on this node ({} was removed from the group)", group, to,
            hostedMember, hostedMember);
        ctx.stop(current);
      } else {
        ctx.getLog().info("partition {}: {} names this node's store {} for new member {}; starting it", group,
            m.message().from(), store, to);
      }
      start(spec, to);
      return Optional.of(replicas.get(group));
    }

    /**
     * For each group whose replica here is the one the files placed: once every voter's node has
     * said which store it is and agrees on the files, offer the replica the files' configuration,
     * with those stores, to record in its log ({@link io.chronik.raft.replica.ReplicaControl.RecordFilesConfiguration}):
     * from then on the log, not the files, says who the voters are.
     */
    void offerFilesConfigurations(PeerDirectory directory) {
      String filesHash = directory.filesHash(nodeId).orElse("");
      for (Map.Entry<String, ActorRef<Command>> e : replicas.entrySet()) {
        GroupSpec spec = specs.get(e.getKey());
        if (spec == null || !nodeId.equals(members.get(e.getKey())) || !spec.voters().contains(nodeId)) continue;
        Map<String, String> stores = new TreeMap<>();
        for (String voter : spec.voters()) {
          Optional<String> voterStore = voter.equals(nodeId) ? Optional.of(store) : directory.store(voter);
          if (voterStore.isEmpty() || voterStore.get().isEmpty()) break;
          boolean filesAgree = runtime.contains(e.getKey())
              || directory.filesHash(voter).orElse("").equals(filesHash);
          if (!voter.equals(nodeId) && !filesAgree) break;
          stores.put(voter, voterStore.get());
        }
        if (stores.size() != spec.voters().size()) continue;
        e.getValue().tell(new io.chronik.raft.replica.ReplicaControl.RecordFilesConfiguration(
            new Configuration(spec.voters(), Set.of(), Set.of(), false, 1, stores)));
      }
    }
  }

  private static Behavior<Message> route(ActorContext<Message> ctx, Map<String, ActorRef<Command>> hosted,
      ForPartition m) {
    ActorRef<Command> replica = hosted.get(m.groupId());
    if (replica != null) {
      replica.tell(m.command());
      return Behaviors.same();
    }
    UnknownPartition unknown = new UnknownPartition(m.groupId(), new java.util.TreeSet<>(hosted.keySet()));
    if (m.command() instanceof Propose p) {
      p.replyTo().tell(unknown);
    } else if (m.command() instanceof LocalQuery q) {
      q.replyTo().tell(unknown);
    } else if (m.command() instanceof GetStatus s) {
      s.replyTo().tell(unknown);
    } else if (m.command() instanceof ReadProtocol.Read r) {
      r.replyTo().tell(unknown);
    } else {
      ctx.getLog().warn("dropping {} for partition {} which this node does not host (hosted: {})",
          m.command().getClass().getSimpleName(), m.groupId(), hosted.keySet());
    }
    return Behaviors.same();
  }
}
