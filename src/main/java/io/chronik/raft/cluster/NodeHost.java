package io.chronik.raft.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.LocalQuery;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.UnknownPartition;
import io.chronik.raft.replica.Command;
import io.chronik.raft.replica.Envelope;
import io.chronik.raft.replica.GroupMembers;
import io.chronik.raft.replica.RaftMessage;
import io.chronik.raft.replica.ReadLatency;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
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
  public record FromPeer(RaftMessage message, ActorRef<Message> senderHost) implements Message {}

  /**
   * "Node {@code nodeId}'s host is {@code host}" ({@link PeerDiscovery}). A hello from a node this
   * host did not know where to find, or knew elsewhere, is answered with a hello of its own, so
   * that the two find each other in one exchange.
   */
  /** A node's whereabouts: its host actor, and where it serves gRPC (empty when it does not, or not yet). */
  public record Hello(String nodeId, ActorRef<Message> host, String grpcAddress) implements Message {
    public Hello(String nodeId, ActorRef<Message> host) {
      this(nodeId, host, "");
    }
  }

  /** One Raft group: its id, its voters (node ids), its preferred leader and its state machine. */
  public record GroupSpec(String groupId, Set<String> voters, Optional<String> preferredLeader,
      Supplier<StateMachine> stateMachine) {
    public GroupSpec(String groupId, Set<String> voters, Supplier<StateMachine> stateMachine) {
      this(groupId, voters, Optional.empty(), stateMachine);
    }
  }

  /**
   * @param transport where this node's replicas send their peer messages, created by
   *     {@code transportFor} with this host's own reference (the sender named in each message)
   * @param registry where the replicas record what they export as it happens (read latency)
   */
  public static Behavior<Message> create(
      String nodeId,
      List<GroupSpec> groups,
      ReplicaSettings settings,
      PeerDirectory directory,
      java.util.function.Function<ActorRef<Message>, Behavior<Envelope>> transportFor,
      BiFunction<String, String, StorageFactory> storage,
      MeterRegistry registry) {
    return Behaviors.setup(ctx -> {
      ActorRef<Envelope> transport = ctx.spawn(transportFor.apply(ctx.getSelf()), "transport");
      Map<String, ActorRef<Command>> replicas = new TreeMap<>();
      Random seeds = new SecureRandom();
      for (GroupSpec g : groups) {
        if (!g.voters().contains(nodeId)) continue;
        Behavior<Command> replica = Replica.create(settings,
            new GroupMembers(g.groupId(), nodeId, g.voters(), g.preferredLeader()), transport,
            storage.apply(nodeId, g.groupId()), g.stateMachine(), new ReadLatency(registry, nodeId, g.groupId()),
            new Random(seeds.nextLong()));
        Behavior<Command> supervised = Behaviors.supervise(replica)
            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        replicas.put(g.groupId(),
            ctx.spawn(supervised, "replica-" + URLEncoder.encode(g.groupId(), StandardCharsets.UTF_8)));
      }
      Map<String, ActorRef<Command>> hosted = Collections.unmodifiableMap(replicas);
      return Behaviors.receive(Message.class)
          .onMessage(ForPartition.class, m -> route(ctx, hosted, m))
          .onMessage(FromPeer.class, m -> fromPeer(ctx, hosted, directory, m))
          .onMessage(Hello.class, m -> {
            if (m.nodeId().equals(nodeId)) return Behaviors.same();
            if (!m.grpcAddress().isEmpty()) directory.learnGrpcAddress(m.nodeId(), m.grpcAddress());
            if (directory.learn(m.nodeId(), m.host())) {
              ctx.getLog().debug("node {} is at {} (hello)", m.nodeId(), m.host().path().address());
              ctx.getSystem().classicSystem().actorSelection(m.host().path().toString())
                  .tell(new Hello(nodeId, ctx.getSelf(), directory.grpcAddress(nodeId).orElse("")),
                      akka.actor.ActorRef.noSender());
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  private static Behavior<Message> fromPeer(ActorContext<Message> ctx, Map<String, ActorRef<Command>> hosted,
      PeerDirectory directory, FromPeer m) {
    RaftMessage msg = m.message();
    if (directory.learn(msg.from(), m.senderHost())) {
      ctx.getLog().debug("node {} is at {}", msg.from(), m.senderHost().path().address());
    }
    ActorRef<Command> replica = hosted.get(msg.groupId());
    if (replica != null) {
      replica.tell(msg);
    } else {
      ctx.getLog().warn("dropping {} from {} for partition {} which this node does not host (hosted: {})",
          msg.getClass().getSimpleName(), msg.from(), msg.groupId(), hosted.keySet());
    }
    return Behaviors.same();
  }

  private static Behavior<Message> route(ActorContext<Message> ctx, Map<String, ActorRef<Command>> hosted,
      ForPartition m) {
    ActorRef<Command> replica = hosted.get(m.groupId());
    if (replica != null) {
      replica.tell(m.command());
      return Behaviors.same();
    }
    UnknownPartition unknown = new UnknownPartition(m.groupId(), hosted.keySet());
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
