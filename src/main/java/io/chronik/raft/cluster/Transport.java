package io.chronik.raft.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.replica.AppendEntries;
import io.chronik.raft.replica.Envelope;
import io.chronik.raft.replica.PeerSender;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one node's replica messages to the host actor of the node each is addressed to, found in
 * the {@link PeerDirectory}: one hop over Artery to a stable actor path, with no sharding region,
 * coordinator or membership status in the way. It runs on the sending replica's thread, not as an
 * actor of its own: an actor here was one more mailbox hand-off on every message, and one actor
 * every replica of the node queued behind. A message for a node whose host is not known yet is
 * dropped, as a lost message (Raft retries). The optional {@link MessageFilter} (fault injection)
 * sees every message first.
 */
public final class Transport implements PeerSender {
  private static final Logger log = LoggerFactory.getLogger(Transport.class);

  /** Counts of what this node sent (read by benchmarks). */
  public static final class Stats {
    public final LongAdder appendEntries = new LongAdder();
    public final LongAdder appendedEntries = new LongAdder();
    public final LongAdder messages = new LongAdder();
    public final LongAdder unknownDestination = new LongAdder();
  }

  private final String selfNode;
  private final ActorRef<NodeHost.Message> selfHost;
  private final PeerDirectory directory;
  private final Optional<MessageFilter> filter;
  private final Stats stats;
  private final ActorSystem<?> system;

  private Transport(String selfNode, ActorRef<NodeHost.Message> selfHost, PeerDirectory directory,
      Optional<MessageFilter> filter, Stats stats, ActorSystem<?> system) {
    this.selfNode = selfNode;
    this.selfHost = selfHost;
    this.directory = directory;
    this.filter = filter;
    this.stats = stats;
    this.system = system;
  }

  /** @param system schedules the messages a filter delays */
  public static PeerSender create(String selfNode, ActorRef<NodeHost.Message> selfHost, PeerDirectory directory,
      Optional<MessageFilter> filter, Stats stats, ActorSystem<?> system) {
    return new Transport(selfNode, selfHost, directory, filter, stats, system);
  }

  @Override
  public void send(Envelope e) {
    stats.messages.increment();
    if (e.message() instanceof AppendEntries ae && !ae.entries().isEmpty()) {
      stats.appendEntries.increment();
      stats.appendedEntries.add(ae.entries().size());
    }
    String node = Configuration.nodeOf(e.to());
    Optional<ActorRef<NodeHost.Message>> to = directory.host(node);
    if (to.isEmpty()) {
      stats.unknownDestination.increment();
      if (stats.unknownDestination.sum() % 1000 == 1) {
        log.info("{}: no address known yet for node {}; dropping its replica messages until it "
            + "joins the cluster or sends one", selfNode, node);
      }
      return;
    }
    NodeHost.FromPeer out = new NodeHost.FromPeer(e.message(), selfHost, e.to(), e.toStore());
    if (filter.isEmpty()) {
      to.get().tell(out);
      return;
    }
    MessageFilter.Decision d = filter.get().decide(Configuration.nodeOf(e.message().from()), node, e.message());
    if (d instanceof MessageFilter.Deliver) {
      to.get().tell(out);
    } else if (d instanceof MessageFilter.Duplicate) {
      to.get().tell(out);
      to.get().tell(out);
    } else if (d instanceof MessageFilter.Delay delay) {
      system.scheduler().scheduleOnce(delay.by(), () -> to.get().tell(out), system.executionContext());
    }
  }
}
