package io.chronik.raft.api;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.chronik.raft.cluster.ClusterNode;
import io.chronik.raft.metrics.NodeMetrics;
import io.chronik.raft.replica.ClientProtocol;
import io.chronik.raft.replica.ReplicaMetrics;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.replica.ReadProtocol;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * This node's meters in the Prometheus text format at {@code /metrics} ({@code MetricsEndpoint.get(system)}):
 * everything in {@link NodeMetrics} — read latency histograms recorded by the replicas, gRPC
 * server meters, JVM meters — plus indexes, lag and read counters per partition, which each
 * scrape asks the local replicas for; a replica that does not answer in time keeps its previous
 * values. One per node: its gauges are registered once in the node's registry.
 */
public final class MetricsEndpoint implements Extension {
  private record Sample(ClientProtocol.Status status, ReplicaMetrics.Snapshot reads) {}

  private final ClusterNode node;
  private final NodeMetrics metrics;
  private final MeterRegistry registry;
  private final Map<String, Sample> samples = new ConcurrentHashMap<>();
  /** The partitions whose meters are registered: those this node hosted at start or has hosted since. */
  private final java.util.Set<String> localGroups = ConcurrentHashMap.newKeySet();

  public static final class Id extends ExtensionId<MetricsEndpoint> {
    private static final Id INSTANCE = new Id();

    @Override
    public MetricsEndpoint createExtension(ActorSystem<?> system) {
      return new MetricsEndpoint(ChronikRaft.get(system).node(), NodeMetrics.get(system));
    }
  }

  public static MetricsEndpoint get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  private MetricsEndpoint(ClusterNode node, NodeMetrics metrics) {
    this.node = node;
    this.metrics = metrics;
    this.registry = metrics.registry();
    node.partitions().forEach((group, voters) -> {
      if (voters.contains(node.nodeId())) {
        localGroups.add(group);
        register(group);
      }
    });
  }

  /**
   * Serves {@code GET /metrics} on {@code host:port} with the JDK's HTTP server (a scrape is one
   * small request every few seconds: no HTTP stack of its own to load at start), until the actor
   * system stops. Returns the bound address (with the port the system chose, where 0 was asked for).
   */
  public static CompletionStage<InetSocketAddress> bind(ActorSystem<?> system, String host, int port) {
    MetricsEndpoint endpoint = get(system);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new IOException("cannot serve metrics on " + host + ":" + port + ": "
          + e.getMessage() + "; is another process using the port (chronik.metrics.port)?", e));
    }
    server.createContext("/", endpoint::handle);
    server.start();
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(),
        "metrics-" + server.getAddress().getPort() + "-unbind", () -> {
          server.stop(0);
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    return CompletableFuture.completedFuture(server.getAddress());
  }

  private void handle(HttpExchange exchange) {
    if (!exchange.getRequestURI().getPath().equals("/metrics")) {
      answer(exchange, 404, "not found: this endpoint serves GET /metrics\n");
    } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
      exchange.getResponseHeaders().add("Allow", "GET, HEAD");
      answer(exchange, 405, "method not allowed: GET /metrics\n");
    } else {
      scrape().whenComplete((text, failure) -> {
        if (failure != null) {
          answer(exchange, 500, "the scrape failed: " + failure + "\n");
        } else {
          answer(exchange, 200, text);
        }
      });
    }
  }

  private static void answer(HttpExchange exchange, int status, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try (exchange) {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    } catch (IOException scraperWentAway) {
      // nothing to answer any more
    }
  }

  /** Refreshes every local replica's values, then renders the registry. */
  public CompletionStage<String> scrape() {
    // Replicas come and go while the node runs (topics created and deleted, replicas moved here).
    for (String group : node.partitions().keySet()) {
      if (node.hostsReplicaOf(group) && localGroups.add(group)) register(group);
    }
    samples.keySet().removeIf(group -> !node.hostsReplicaOf(group));
    List<CompletableFuture<Void>> asks = new ArrayList<>();
    for (String group : localGroups) {
      if (!node.hasPartition(group)) continue; // its topic was deleted
      CompletableFuture<ClientProtocol.StatusReply> status =
          node.<ClientProtocol.StatusReply>ask(group, node.nodeId(), ClientProtocol.GetStatus::new).toCompletableFuture();
      CompletableFuture<ReplicaMetrics.Snapshot> reads =
          node.<ReplicaMetrics.Snapshot>ask(group, node.nodeId(), ReadProtocol.GetReplicaMetrics::new).toCompletableFuture();
      asks.add(status.thenCombine(reads, (s, r) -> {
        if (s instanceof ClientProtocol.Status st) samples.put(group, new Sample(st, r));
        return (Void) null;
      }).exceptionally(e -> null));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> metrics.scrape());
  }

  private void register(String group) {
    Tags tags = Tags.of("partition", group, "node", node.nodeId());
    gauge("chronik_replica_term", tags, group, s -> s.status.term());
    gauge("chronik_replica_is_leader", tags, group, s -> s.status.role().equals("leader") ? 1 : 0);
    gauge("chronik_replica_commit_index", tags, group, s -> s.status.commitIndex());
    gauge("chronik_replica_applied_index", tags, group, s -> s.status.appliedIndex());
    gauge("chronik_replica_last_index", tags, group, s -> s.status.lastIndex());
    gauge("chronik_replica_apply_lag", tags, group, s -> s.status.lastIndex() - s.status.appliedIndex());
    gauge("chronik_replica_commit_lag", tags, group, s -> s.status.lastIndex() - s.status.commitIndex());
    gauge("chronik_reads_pending", tags, group, s -> s.reads.pending());
    gauge("chronik_reads_oldest_pending_age_seconds", tags, group, s -> s.reads.oldestPendingAgeMillis() / 1000.0);
    counter("chronik_readindex_rounds", tags, group, s -> s.reads.readIndexRounds());
    counter("chronik_readindex_reads_confirmed", tags, group, s -> s.reads.readsReleasedByRounds());
    counter("chronik_readindex_reads_confirmed_by_request", tags, group, s -> s.reads.readsConfirmedByRequest());
    counter("chronik_read_timeouts", tags, group, s -> s.reads.timeouts());
    counter("chronik_read_no_leader", tags, group, s -> s.reads.noLeader());
    counter("chronik_read_leader_changed", tags, group, s -> s.reads.leaderChanged());
    counter("chronik_reads_forwarded", tags, group, s -> s.reads.forwarded());
    counter("chronik_reads_rejected_lagging", tags, group, s -> s.reads.lagging());
    counter("chronik_raft_messages_sent", tags, group, s -> s.reads.messagesSent());
    counter("chronik_raft_messages_received", tags, group, s -> s.reads.messagesReceived());
    counter("chronik_storage_writes", tags, group, s -> s.reads.storageWrites());
    counter("chronik_storage_entries", tags, group, s -> s.reads.entriesPersisted());
    for (ReadPolicy p : ReadPolicy.values()) {
      Tags pt = tags.and("policy", p.configName());
      counter("chronik_reads_served", pt, group, s -> s.reads.served().getOrDefault(p, 0L));
    }
  }

  private void gauge(String name, Tags tags, String group, ToDoubleFunction<Sample> value) {
    Gauge.builder(name, samples, m -> m.containsKey(group) ? value.applyAsDouble(m.get(group)) : Double.NaN)
        .tags(tags).register(registry);
  }

  private void counter(String name, Tags tags, String group, ToDoubleFunction<Sample> value) {
    FunctionCounter.builder(name, samples, m -> m.containsKey(group) ? value.applyAsDouble(m.get(group)) : 0)
        .tags(tags).register(registry);
  }
}
