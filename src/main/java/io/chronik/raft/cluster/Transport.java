package io.chronik.raft.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.chronik.raft.replica.AppendEntries;
import io.chronik.raft.replica.Envelope;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends one node's replica messages to the host actor of the node each is addressed to, found in
 * the {@link PeerDirectory}: one hop over Artery to a stable actor path, with no sharding region,
 * coordinator or membership status in the way. A message for a node whose host is not known yet
 * is dropped, as a lost message (Raft retries). The optional {@link MessageFilter} (fault
 * injection) sees every message first.
 */
public final class Transport {
  private Transport() {}

  /** Counts of what this node sent (read by benchmarks; written only by the transport actor). */
  public static final class Stats {
    public final LongAdder appendEntries = new LongAdder();
    public final LongAdder appendedEntries = new LongAdder();
    public final LongAdder messages = new LongAdder();
    public final LongAdder unknownDestination = new LongAdder();
  }

  public static Behavior<Envelope> create(String selfNode, ActorRef<NodeHost.Message> selfHost,
      PeerDirectory directory, Optional<MessageFilter> filter, Stats stats) {
    return Behaviors.setup(ctx -> Behaviors.receive(Envelope.class)
        .onMessage(Envelope.class, e -> {
          stats.messages.increment();
          if (e.message() instanceof AppendEntries ae && !ae.entries().isEmpty()) {
            stats.appendEntries.increment();
            stats.appendedEntries.add(ae.entries().size());
          }
          String node = io.chronik.raft.core.Configuration.nodeOf(e.to());
          Optional<ActorRef<NodeHost.Message>> to = directory.host(node);
          if (to.isEmpty()) {
            stats.unknownDestination.increment();
            if (stats.unknownDestination.sum() % 1000 == 1) {
              ctx.getLog().info("{}: no address known yet for node {}; dropping its replica messages until it "
                  + "joins the cluster or sends one", selfNode, node);
            }
            return Behaviors.same();
          }
          NodeHost.FromPeer out = new NodeHost.FromPeer(e.message(), selfHost, e.to(), e.toStore());
          MessageFilter.Decision d = filter.isPresent()
              ? filter.get().decide(io.chronik.raft.core.Configuration.nodeOf(e.message().from()), node, e.message())
              : new MessageFilter.Deliver();
          if (d instanceof MessageFilter.Deliver) {
            to.get().tell(out);
          } else if (d instanceof MessageFilter.Duplicate) {
            to.get().tell(out);
            to.get().tell(out);
          } else if (d instanceof MessageFilter.Delay delay) {
            ctx.getSystem().scheduler().scheduleOnce(delay.by(), () -> to.get().tell(out), ctx.getExecutionContext());
          }
          return Behaviors.same();
        })
        .build());
  }
}
