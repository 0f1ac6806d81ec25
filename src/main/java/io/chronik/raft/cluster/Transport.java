package io.chronik.raft.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.replica.AppendEntries;
import io.chronik.raft.replica.Envelope;
import io.chronik.raft.replica.PeerSender;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
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
 * dropped, as a lost message (Raft retries). With {@link PeerStreams} a message goes on the
 * peer's gRPC stream when that is up, else over Artery. The optional {@link MessageFilter} (fault
 * injection) sees every message first, whichever way it then travels.
 */
public final class Transport implements PeerSender {
  private static final Logger log = LoggerFactory.getLogger(Transport.class);

  /** Counts of what this node sent (read by benchmarks). */
  public static final class Stats {
    public final LongAdder appendEntries = new LongAdder();
    public final LongAdder appendedEntries = new LongAdder();
    public final LongAdder messages = new LongAdder();
    public final LongAdder unknownDestination = new LongAdder();
    /** Messages that went on a peer's gRPC stream, were dropped there (its buffer full), went over Artery. */
    public final LongAdder streamed = new LongAdder();
    public final LongAdder streamDropped = new LongAdder();
    public final LongAdder overArtery = new LongAdder();

    /** {@code chronik_peer_messages_total{node, via}}: how this node's replica messages left it. */
    void bindTo(MeterRegistry registry, String nodeId) {
      Map<String, LongAdder> ways = Map.of("stream", streamed, "stream_dropped", streamDropped, "artery", overArtery);
      ways.forEach((via, counter) -> FunctionCounter.builder("chronik.peer.messages", counter, LongAdder::sum)
          .description("Replica messages this node sent to other nodes: on their gRPC streams, dropped there (the "
              + "stream's buffer full), over Artery (no stream up)")
          .tags("node", nodeId, "via", via).register(registry));
    }
  }

  private final String selfNode;
  private final ActorRef<NodeHost.Message> selfHost;
  private final PeerDirectory directory;
  private final Optional<MessageFilter> filter;
  private final Stats stats;
  private final ActorSystem<?> system;
  private final Optional<PeerStreams> streams;

  private Transport(String selfNode, ActorRef<NodeHost.Message> selfHost, PeerDirectory directory,
      Optional<MessageFilter> filter, Stats stats, ActorSystem<?> system, Optional<PeerStreams> streams) {
    this.selfNode = selfNode;
    this.selfHost = selfHost;
    this.directory = directory;
    this.filter = filter;
    this.stats = stats;
    this.system = system;
    this.streams = streams;
  }

  /** Over Artery only. @param system schedules the messages a filter delays */
  public static PeerSender create(String selfNode, ActorRef<NodeHost.Message> selfHost, PeerDirectory directory,
      Optional<MessageFilter> filter, Stats stats, ActorSystem<?> system) {
    return create(selfNode, selfHost, directory, filter, stats, system, Optional.empty());
  }

  static PeerSender create(String selfNode, ActorRef<NodeHost.Message> selfHost, PeerDirectory directory,
      Optional<MessageFilter> filter, Stats stats, ActorSystem<?> system, Optional<PeerStreams> streams) {
    return new Transport(selfNode, selfHost, directory, filter, stats, system, streams);
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
      deliver(node, to.get(), out);
      return;
    }
    MessageFilter.Decision d = filter.get().decide(Configuration.nodeOf(e.message().from()), node, e.message());
    if (d instanceof MessageFilter.Deliver) {
      deliver(node, to.get(), out);
    } else if (d instanceof MessageFilter.Duplicate) {
      deliver(node, to.get(), out);
      deliver(node, to.get(), out);
    } else if (d instanceof MessageFilter.Delay delay) {
      system.scheduler().scheduleOnce(delay.by(), () -> deliver(node, to.get(), out), system.executionContext());
    }
  }

  private void deliver(String node, ActorRef<NodeHost.Message> host, NodeHost.FromPeer out) {
    if (streams.isPresent() && !node.equals(selfNode)) {
      switch (streams.get().send(node, out)) {
        case SENT -> {
          stats.streamed.increment();
          return;
        }
        case DROPPED -> {
          stats.streamDropped.increment();
          return;
        }
        case NOT_CONNECTED -> { }
      }
    }
    stats.overArtery.increment();
    host.tell(out);
  }
}
