package io.chronik.raft.api;

import com.google.protobuf.ByteString;
import io.chronik.raft.api.ChronikException.Kind;
import io.chronik.raft.cluster.ReplicaMover;
import io.chronik.raft.cluster.TopicCatalog;
import io.chronik.raft.cluster.TopicSpec;
import io.chronik.raft.metadata.proto.TopicRecord;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Topics at runtime: create, list and delete them in the metadata group's catalog
 * ({@link TopicCatalog}), and keep this node acting on the catalog: it reads it every
 * {@code chronik.metadata.refresh-interval}, and at once when asked for a topic it does not know.
 * Every change is a compare-and-set of the whole catalog read by a safe read, so two nodes
 * creating topics at the same time never lose each other's.
 */
final class TopicAdmin {
  private static final int CAS_ATTEMPTS = 10;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TopicAdmin.class);

  private final ChronikRaft chronik;
  /** One thread: topic changes block on the metadata group and the node list. */
  private final ExecutorService changes = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "chronik-topics");
    t.setDaemon(true);
    return t;
  });
  private final AtomicReference<CompletableFuture<TopicCatalog>> refreshing = new AtomicReference<>();
  private volatile long failingSinceNanos;
  private final java.util.concurrent.atomic.AtomicBoolean naming = new java.util.concurrent.atomic.AtomicBoolean();

  TopicAdmin(ChronikRaft chronik) {
    this.chronik = chronik;
  }

  void shutdown() {
    changes.shutdownNow();
  }

  /** Starts reading the catalog every {@code interval}. */
  void watch(akka.actor.typed.ActorSystem<?> system, Duration interval) {
    system.scheduler().scheduleWithFixedDelay(interval, interval, this::refreshQuietly, system.executionContext());
  }

  private void refreshQuietly() {
    if (refreshing.get() == null) refresh();
  }

  /**
   * Reads the catalog (a safe read: at least every change acknowledged before) and acts on it;
   * concurrent callers share one read.
   */
  CompletableFuture<TopicCatalog> refresh() {
    CompletableFuture<TopicCatalog> mine = new CompletableFuture<>();
    CompletableFuture<TopicCatalog> running = refreshing.compareAndExchange(null, mine);
    if (running != null) return running;
    read().whenComplete((catalog, error) -> {
      refreshing.set(null);
      if (error != null) {
        if (failingSinceNanos == 0) failingSinceNanos = System.nanoTime();
        if (System.nanoTime() - failingSinceNanos > Duration.ofSeconds(30).toNanos()) {
          LOG.warn("the metadata group has not answered for 30 s ({}); topics created or deleted meanwhile are not "
              + "acted on by this node", ChronikRaft.unwrap(error).getMessage());
          failingSinceNanos = System.nanoTime();
        }
        mine.completeExceptionally(error);
        return;
      }
      failingSinceNanos = 0;
      try {
        chronik.node().applyCatalog(catalog);
        if (catalog.clusterId().isEmpty()) nameTheCluster();
        mine.complete(catalog);
      } catch (RuntimeException e) {
        LOG.error("acting on the metadata group's topics failed", e);
        mine.completeExceptionally(e);
      }
    });
    return mine;
  }

  /** The first node to read a catalog without a cluster id draws one (compare-and-set: one wins). */
  private void nameTheCluster() {
    if (!naming.compareAndSet(false, true)) return;
    CompletableFuture.runAsync(() -> change(c -> c.clusterId().isEmpty() ? c.withClusterId(TopicCatalog.newClusterId()) : c),
        changes).whenComplete((v, e) -> {
          naming.set(false);
          if (e != null) LOG.debug("naming the cluster failed (retried at the next refresh): {}", e.toString());
        });
  }

  private CompletableFuture<TopicCatalog> read() {
    return readValue().thenApply(value -> value.map(TopicCatalog::parse).orElse(TopicCatalog.EMPTY));
  }

  /** The catalog's stored bytes by a safe read; empty before the first topic or cluster id was written. */
  private CompletableFuture<Optional<ByteString>> readValue() {
    return chronik.get(TopicCatalog.TOPIC, 0, TopicCatalog.KEY, Optional.of(ReadPolicy.SAFE), 0)
        .thenApply(r -> r.result().getFound() ? Optional.of(r.result().getValue()) : Optional.<ByteString>empty())
        .toCompletableFuture();
  }

  CompletableFuture<ChronikRaft.Topic> create(String name, int partitions, int replicationFactor, String kind, long retentionBytes,
      long retentionMs) {
    try {
      TopicCatalog.invalidName(name).ifPresent(why -> {
        throw new ChronikException(Kind.INVALID_ARGUMENT, why);
      });
      if (partitions < 1 || partitions > TopicCatalog.MAX_PARTITIONS) {
        throw new ChronikException(Kind.INVALID_ARGUMENT, "partitions must be between 1 and "
            + TopicCatalog.MAX_PARTITIONS + ", got " + partitions);
      }
      if (replicationFactor < 0 || replicationFactor > TopicCatalog.MAX_REPLICATION_FACTOR) {
        throw new ChronikException(Kind.INVALID_ARGUMENT, "replication factor must be between 1 and "
            + TopicCatalog.MAX_REPLICATION_FACTOR + " (0: 3, or fewer when fewer nodes hold replicas), got "
            + replicationFactor);
      }
      String k = kind.isEmpty() ? ChronikRaft.RECORD_LOG : kind;
      if (!io.chronik.raft.cluster.TopicSpec.KINDS.contains(k)) {
        throw new ChronikException(Kind.INVALID_ARGUMENT, "unknown kind '" + kind + "'; use one of "
            + io.chronik.raft.cluster.TopicSpec.KINDS);
      }
      filesTopic(name).ifPresent(t -> {
        throw new ChronikException(Kind.ALREADY_EXISTS, "topic " + name + " exists: the configuration files declare "
            + "it (chronik.topics)");
      });
      RecordLogStateMachine.Retention retention = retention(retentionBytes, retentionMs);
      return CompletableFuture.supplyAsync(() -> {
        Set<String> nodes = replicaNodes();
        int rf = replicationFactor == 0 ? Math.min(3, nodes.size()) : replicationFactor;
        if (rf < 1 || nodes.size() < rf) {
          throw new ChronikException(Kind.FAILED_PRECONDITION, "topic " + name + " needs " + Math.max(rf, 1)
              + " nodes for its replicas, but only " + nodes.size() + " answering node(s) hold replicas: " + nodes
              + " (add nodes with chronik node add, or choose a smaller replication factor)");
        }
        TopicCatalog next = change(catalog -> {
          catalog.find(name).ifPresent(t -> {
            throw new ChronikException(Kind.ALREADY_EXISTS, t.getDeleted()
                ? "topic " + name + " was deleted; a deleted topic's name is not used again (a node that was down "
                    + "during the delete could take its old files for the new topic's): choose another name"
                : "topic " + name + " exists");
          });
          return catalog.with(TopicCatalog.place(name, partitions, rf, k, retention, nodes, System.currentTimeMillis()));
        });
        TopicRecord created = next.find(name).orElseThrow();
        LOG.info("topic {} created: {} partition(s) on {}", name, partitions, TopicCatalog.placement(created));
        return runtime(created);
      }, changes);
    } catch (ChronikException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  CompletableFuture<ChronikRaft.Topic> delete(String name) {
    if (filesTopic(name).isPresent()) {
      return CompletableFuture.failedFuture(new ChronikException(Kind.FAILED_PRECONDITION, "topic " + name
          + " is declared by the configuration files (chronik.topics), not created at runtime; it cannot be deleted"));
    }
    return CompletableFuture.supplyAsync(() -> {
      TopicCatalog next = change(catalog -> {
        TopicRecord t = catalog.find(name).filter(r -> !r.getDeleted()).orElseThrow(() -> new ChronikException(
            Kind.NOT_FOUND, "no topic " + name + " to delete" + (catalog.find(name).isPresent() ? " (deleted already)" : "")));
        return catalog.deleting(t.getName(), System.currentTimeMillis());
      });
      LOG.info("topic {} deleted", name);
      return runtime(next.find(name).orElseThrow());
    }, changes);
  }

  /** The files' topics (the metadata group's last), then the runtime ones, as the metadata group holds them now. */
  CompletableFuture<List<ChronikRaft.Topic>> list() {
    return refresh().thenApply(catalog -> {
      List<ChronikRaft.Topic> out = new ArrayList<>();
      for (TopicSpec t : chronik.node().filesTopics()) {
        out.add(new ChronikRaft.Topic(t.name(), t.partitions(), t.replicationFactor(), t.stateMachine(),
            t.name().equals(TopicCatalog.TOPIC) ? "metadata" : "files", List.of()));
      }
      catalog.active().forEach(t -> out.add(runtime(t)));
      return out;
    });
  }

  private static ChronikRaft.Topic runtime(TopicRecord t) {
    return new ChronikRaft.Topic(t.getName(), t.getPartitions(), t.getReplicationFactor(), t.getKind(), "runtime",
        TopicCatalog.placement(t));
  }

  private Optional<TopicSpec> filesTopic(String name) {
    return chronik.node().filesTopics().stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** Request retention: 0 the node's defaults (chronik.record-log), negative unlimited. */
  private RecordLogStateMachine.Retention retention(long bytes, long millis) {
    com.typesafe.config.Config defaults = chronik.settings().getConfig("chronik.record-log");
    long b = bytes == 0 ? defaults.getBytes("retention-bytes") : Math.max(0, bytes);
    Duration age = millis == 0 ? defaults.getDuration("retention") : Duration.ofMillis(Math.max(0, millis));
    return new RecordLogStateMachine.Retention(b, age);
  }

  /** The answering nodes that hold a replica of any partition: where new topics go (not spares, not removed nodes). */
  private Set<String> replicaNodes() {
    Set<String> out = new TreeSet<>();
    for (ReplicaMover.NodeInfo n : chronik.mover().nodes()) {
      if (n.answering() && n.voters() + n.learners() > 0) out.add(n.nodeId());
    }
    return out;
  }

  /**
   * Applies {@code change} to the catalog read by a safe read and writes it back by compare-and-set,
   * again from a fresh read while another change won; acts on the result on this node at once.
   */
  private TopicCatalog change(UnaryOperator<TopicCatalog> change) {
    for (int attempt = 1; ; attempt++) {
      Optional<ByteString> current = join(readValue());
      TopicCatalog before = current.map(TopicCatalog::parse).orElse(TopicCatalog.EMPTY);
      TopicCatalog next = change.apply(before);
      if (current.isPresent() && next.equals(before)) return before;
      ChronikRaft.KvWrite written = join(chronik.compareAndSetMetadata(current, next.bytes()));
      if (written.result().getApplied()) {
        chronik.node().applyCatalog(next);
        return next;
      }
      if (attempt >= CAS_ATTEMPTS) {
        throw new ChronikException(Kind.UNAVAILABLE, "the topic catalog kept changing under this change ("
            + attempt + " attempts); retry");
      }
    }
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().join();
    } catch (CompletionException e) {
      throw ChronikRaft.unwrap(e) instanceof ChronikException c ? c
          : new ChronikException(Kind.UNAVAILABLE, "the metadata group did not answer: " + ChronikRaft.unwrap(e));
    }
  }
}
