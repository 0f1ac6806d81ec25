package io.chronik.raft.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.chronik.raft.replica.AppendEntries;
import io.chronik.raft.replica.Envelope;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Delivers replica-to-replica messages between nodes that live in one ActorSystem (the in-process
 * cluster of the demo and benchmarks). Between machines, Cluster Sharding takes this role.
 */
public final class LocalTransport {
  private LocalTransport() {}

  /** Makes {@code host} reachable as node {@code nodeId}. */
  public record Register(String nodeId, ActorRef<PartitionHost.Message> host) {}

  /** Counts of what crossed the transport (read by benchmarks; written only by this actor). */
  public static final class Stats {
    public final LongAdder appendEntries = new LongAdder();
    public final LongAdder appendedEntries = new LongAdder();
    public final LongAdder messages = new LongAdder();
  }

  public static Behavior<Object> create(Stats stats) {
    return Behaviors.setup(ctx -> {
      Map<String, ActorRef<PartitionHost.Message>> hosts = new HashMap<>();
      return Behaviors.receive(Object.class)
          .onMessage(Register.class, r -> {
            hosts.put(r.nodeId(), r.host());
            return Behaviors.same();
          })
          .onMessage(Envelope.class, e -> {
            stats.messages.increment();
            if (e.message() instanceof AppendEntries ae && !ae.entries().isEmpty()) {
              stats.appendEntries.increment();
              stats.appendedEntries.add(ae.entries().size());
            }
            ActorRef<PartitionHost.Message> host = hosts.get(e.to());
            if (host == null) {
              ctx.getLog().warn("no node {} for a message of group {}", e.to(), e.message().groupId());
            } else {
              host.tell(new PartitionHost.ForPartition(e.message().groupId(), e.message()));
            }
            return Behaviors.same();
          })
          .build();
    });
  }
}
