package io.chronik.raft.api;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import io.chronik.raft.api.ChronikException.Kind;
import io.chronik.raft.cluster.ClusterNode;
import io.chronik.raft.cluster.TopicCatalog;
import io.chronik.raft.cluster.UnknownNodeException;
import io.chronik.raft.metrics.NodeMetrics;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.StatusReply;
import io.chronik.raft.replica.ClientProtocol;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.replica.ReadProtocol.ReadReply;
import io.chronik.raft.replica.ReadProtocol.ReadResult;
import io.chronik.raft.replica.ReadProtocol;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.statemachine.proto.KvResult;
import io.chronik.raft.statemachine.proto.RecordLogAppendResult;
import io.chronik.raft.statemachine.proto.RecordLogReadResult;
import io.chronik.raft.statemachine.kafka.KafkaLogStateMachine;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The Java API of chronik-raft inside an Akka Cluster application: {@code ChronikRaft.get(system)}.
 * Every request goes to this node's replica of the partition when it hosts one (else to a replica
 * on a reachable node): a follower forwards writes to the leader it hears from and serves reads
 * under the read policy, so routing follows Raft's own view of who leads, not a cache. Answers
 * that mean "nothing happened, try again" (no leader yet, the leader changed, the node's address
 * is not known yet) are retried with jittered exponential backoff for up to
 * {@code chronik.client.retry-window} — long enough to span an election — before the caller sees
 * them. Failures complete the stage with a {@link ChronikException}.
 */
public final class ChronikRaft implements Extension {
  private final ActorSystem<?> system;
  private final ClusterNode node;
  private final long maxEntryBytes;
  private final Duration retryWindow;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Duration statusTimeout;
  private final Duration requestTimeout;
  private final ProducerSlots producerSlots = new ProducerSlots();
  private final NodeAdmin admin = new NodeAdmin(this);
  private final TopicAdmin topics = new TopicAdmin(this);

  /** No deadline but the node's own limits ({@code chronik.request-timeout}, {@code chronik.client.retry-window}). */
  public static final long NO_DEADLINE = Long.MAX_VALUE;
  /**
   * A node answers a fifth of a caller's time before its deadline (10 to 250 ms), so that the
   * answer (with the node's reason) arrives while the caller still waits.
   */
  private static long deadlineMargin(long leftNanos) {
    return Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.MILLISECONDS.toNanos(250), leftNanos / 5));
  }

  public static final class Id extends ExtensionId<ChronikRaft> {
    private static final Id INSTANCE = new Id();

    @Override
    public ChronikRaft createExtension(ActorSystem<?> system) {
      // The node's peer endpoint is a gRPC server too, with or without the API's (GrpcServer).
      TransportLog.install(new GrpcErrors());
      return new ChronikRaft(system, ClusterNode.start(system, NodeMetrics.get(system).registry(), peerTls(system)));
    }

    /** The replicas' streams' TLS when chronik.tls is on; warns when peers would fail to verify this node's name. */
    private static Optional<io.chronik.raft.cluster.PeerTls> peerTls(ActorSystem<?> system) {
      TlsSettings tls = TlsSettings.fromConfig(system.settings().config());
      if (!tls.enabled()) return Optional.empty();
      String hostname = ClusterNode.advertisedHost(system);
      if (!tls.certificateNames(hostname)) {
        org.slf4j.LoggerFactory.getLogger(ChronikRaft.class).warn("this node's certificate ({}) does not name its "
            + "Artery hostname {}, which its peers connect to: their replica-message streams to it fail the TLS "
            + "check and go over Artery (slower). Add {} to the certificate's subject alternative names "
            + "(CHRONIK_TLS_SAN for bin/chronik-dev-certs)", tls.keyStore(), hostname, hostname);
      }
      return Optional.of(tls.peerTls());
    }
  }

  public static ChronikRaft get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  private ChronikRaft(ActorSystem<?> system, ClusterNode node) {
    this.system = system;
    this.node = node;
    Config config = system.settings().config();
    this.maxEntryBytes = config.getBytes("chronik.raft.max-entry-bytes");
    this.retryWindow = config.getDuration("chronik.client.retry-window");
    this.minBackoff = config.getDuration("chronik.client.min-backoff");
    this.maxBackoff = config.getDuration("chronik.client.max-backoff");
    this.statusTimeout = config.getDuration("chronik.client.status-timeout");
    this.requestTimeout = config.getDuration("chronik.request-timeout");
    system.getWhenTerminated().thenRun(() -> {
      admin.shutdown();
      topics.shutdown();
    });
    topics.watch(system, config.getDuration("chronik.metadata.refresh-interval"));
    new Rebalancer(this, config.getDuration("chronik.rebalancer.dead-node-timeout")).start(system);
    new LeaderBalancer(this, config.getDuration("chronik.raft.leader-balance-delay"))
        .start(system, config.getBoolean("chronik.raft.leader-balancing"));
  }

  public ClusterNode node() {
    return node;
  }

  /**
   * Moves replicas between nodes (node add, remove, replace): blocking, one operation at a time;
   * see {@link io.chronik.raft.cluster.ReplicaMover}.
   */
  public io.chronik.raft.cluster.ReplicaMover mover() {
    return new io.chronik.raft.cluster.ReplicaMover(node, statusTimeout,
        system.settings().config().getDuration("chronik.membership.step-timeout"));
  }

  // ---------------------------------------------------------------- topics at runtime

  /**
   * A topic: {@code source} "files" (chronik.topics), "metadata" (the cluster's own) or "runtime"
   * (created through {@link #createTopic}, with each partition's first voters in {@code placement}).
   */
  public record Topic(String name, int partitions, int replicationFactor, String kind, String source,
      List<List<String>> placement) {}

  /**
   * Creates a topic in the metadata group; every node starts the replicas placed on it within
   * {@code chronik.metadata.refresh-interval} (this one at once). {@code replicationFactor} 0: 3, or
   * every node holding replicas when fewer. Record-log topics get the nodes' default retention.
   */
  public CompletionStage<Topic> createTopic(String name, int partitions, int replicationFactor, String kind) {
    return topics.create(name, partitions, replicationFactor, kind, 0, 0);
  }

  /** Deletes a topic created at runtime: every node stops its replicas and deletes their files. */
  public CompletionStage<Topic> deleteTopic(String name) {
    return topics.delete(name);
  }

  /** Every topic, as the metadata group holds them now. */
  public CompletionStage<List<Topic>> topics() {
    return topics.list();
  }

  /** Topics at runtime: create, list, delete (the gRPC API's topic calls). */
  TopicAdmin topicAdmin() {
    return topics;
  }

  Config settings() {
    return system.settings().config();
  }

  /** This node's administration operations (the gRPC API's node and leader calls): one at a time. */
  NodeAdmin admin() {
    return admin;
  }

  // ---------------------------------------------------------------- record log

  /** {@code duplicate}: the batch had been appended before (a resend); its original offsets. */
  public record Produced(long baseOffset, int count, long logIndex, String leader, boolean duplicate) {}

  public record Fetched(List<ByteString> records, long firstOffset, long highWatermark, String servedBy,
      long appliedIndex, long logStartOffset) {}

  /**
   * Appends {@code records} to a record-log partition. Safe to retry inside: the write carries an
   * idempotent producer identity of this node ({@link ProducerSlots}), so when its outcome is
   * unknown (the leader changed mid-write, no answer in time) this node resends it within
   * {@code chronik.client.retry-window}, and the partition appends it at most once.
   */
  public CompletionStage<Produced> produce(String topic, int partition, List<ByteString> records) {
    return produce(topic, partition, records, NO_DEADLINE);
  }

  /**
   * An idempotent producer's batch: appended only when {@code sequence} follows {@code producerId}'s
   * last applied one; a resend of one of its last 5 batches completes with the original offsets
   * ({@link Produced#duplicate()}); any other sequence fails with {@code FAILED_PRECONDITION}.
   * {@code producerId} must not be 0.
   */
  public CompletionStage<Produced> produce(String topic, int partition, List<ByteString> records, long producerId,
      long sequence) {
    return produce(topic, partition, records, producerId, sequence, NO_DEADLINE);
  }

  CompletionStage<Produced> produce(String topic, int partition, List<ByteString> records, long deadline) {
    return onGroup(topic, partition, RECORD_LOG, "Produce", group -> produceOnce(group, records, deadline));
  }

  private CompletionStage<Produced> produceOnce(String group, List<ByteString> records, long deadline) {
    ProducerSlots.Slot slot = producerSlots.take(group);
    return produceAs(group, records, slot.producerId, slot.sequence, deadline).whenComplete((p, e) -> {
      // Unknown outcome: the sequence may or may not be taken; out of sequence: the partition holds
      // another one for it. Either way this identity is never used again.
      boolean spent = e != null && unwrap(e) instanceof ChronikException c
          && (c.kind() == Kind.OUTCOME_UNKNOWN || c.kind() == Kind.FAILED_PRECONDITION);
      if (!spent) producerSlots.release(group, slot, p != null);
    });
  }

  CompletionStage<Produced> produce(String topic, int partition, List<ByteString> records, long producerId,
      long sequence, long deadline) {
    if (producerId == 0) {
      return CompletableFuture.failedFuture(new ChronikException(Kind.INVALID_ARGUMENT,
          "producer id 0 means no producer: pick a random non-zero 64-bit id once per producer"));
    }
    if (sequence < 0) {
      return CompletableFuture.failedFuture(new ChronikException(Kind.INVALID_ARGUMENT,
          "sequence must be >= 0, got " + sequence));
    }
    return onGroup(topic, partition, RECORD_LOG, "Produce",
        group -> produceAs(group, records, producerId, sequence, deadline));
  }

  private CompletionStage<Produced> produceAs(String group, List<ByteString> records, long producerId, long sequence,
      long deadline) {
    // Stamped here, once: every replica expires by this time, so retention by age is deterministic.
    ByteString command = RecordLogStateMachine.append(records, System.currentTimeMillis(), producerId, sequence);
    return propose(group, command, true, deadline).thenApply(p -> {
      RecordLogAppendResult r = RecordLogStateMachine.appendResult(p.result());
      if (r.getOutOfSequence()) throw new ChronikException(Kind.FAILED_PRECONDITION, r.getError());
      if (!r.getError().isEmpty()) throw new ChronikException(Kind.INVALID_ARGUMENT, r.getError());
      return new Produced(r.getFirstOffset(), r.getCount(), r.getDuplicate() ? 0 : p.index(), p.leader(),
          r.getDuplicate());
    });
  }

  public CompletionStage<Fetched> fetch(String topic, int partition, long offset, int maxRecords, long maxBytes,
      Optional<ReadPolicy> policy, long minIndex) {
    return fetch(topic, partition, offset, maxRecords, maxBytes, policy, minIndex, NO_DEADLINE);
  }

  CompletionStage<Fetched> fetch(String topic, int partition, long offset, int maxRecords, long maxBytes,
      Optional<ReadPolicy> policy, long minIndex, long deadline) {
    return onGroup(topic, partition, RECORD_LOG, "Fetch", group ->
        read(group, RecordLogStateMachine.read(offset, maxRecords, maxBytes), policy, minIndex, deadline)
        .thenApply(rr -> {
          RecordLogReadResult r = RecordLogStateMachine.readResult(rr.result());
          if (r.getOutOfRange()) throw new ChronikException(Kind.OUT_OF_RANGE, r.getError());
          if (r.getReplicaFault()) throw new ChronikException(Kind.UNAVAILABLE, r.getError() + " (served by " + rr.servedBy() + ")");
          if (!r.getError().isEmpty()) throw new ChronikException(Kind.INVALID_ARGUMENT, r.getError());
          return new Fetched(r.getRecordsList(), r.getFirstOffset(), r.getHighWatermark(), rr.servedBy(),
              rr.appliedIndex(), r.getLogStartOffset());
        }));
  }

  // ---------------------------------------------------------------- key-value

  public record KvWrite(KvResult result, long logIndex) {}

  public record KvRead(KvResult result, String servedBy, long appliedIndex) {}

  public CompletionStage<KvWrite> put(String topic, int partition, String key, ByteString value) {
    return put(topic, partition, key, value, NO_DEADLINE);
  }

  CompletionStage<KvWrite> put(String topic, int partition, String key, ByteString value, long deadline) {
    return kvWrite(topic, partition, "Put", KeyValueStateMachine.put(key, value), deadline);
  }

  public CompletionStage<KvWrite> delete(String topic, int partition, String key) {
    return delete(topic, partition, key, NO_DEADLINE);
  }

  CompletionStage<KvWrite> delete(String topic, int partition, String key, long deadline) {
    return kvWrite(topic, partition, "Delete", KeyValueStateMachine.delete(key), deadline);
  }

  /** {@code expected} empty: only if the key is absent. */
  public CompletionStage<KvWrite> compareAndSet(String topic, int partition, String key, Optional<ByteString> expected,
      ByteString newValue) {
    return compareAndSet(topic, partition, key, expected, newValue, NO_DEADLINE);
  }

  CompletionStage<KvWrite> compareAndSet(String topic, int partition, String key, Optional<ByteString> expected,
      ByteString newValue, long deadline) {
    return kvWrite(topic, partition, "CompareAndSet",
        KeyValueStateMachine.compareAndSet(key, expected.orElse(null), newValue), deadline);
  }

  public CompletionStage<KvRead> get(String topic, int partition, String key, Optional<ReadPolicy> policy,
      long minIndex) {
    return get(topic, partition, key, policy, minIndex, NO_DEADLINE);
  }

  CompletionStage<KvRead> get(String topic, int partition, String key, Optional<ReadPolicy> policy, long minIndex,
      long deadline) {
    return onGroup(topic, partition, KEY_VALUE, "Get", group -> read(group, KeyValueStateMachine.get(key), policy,
        minIndex, deadline)
        .thenApply(rr -> new KvRead(KeyValueStateMachine.result(rr.result()), rr.servedBy(), rr.appliedIndex())));
  }

  private CompletionStage<KvWrite> kvWrite(String topic, int partition, String operation, ByteString command,
      long deadline) {
    return onGroup(topic, partition, KEY_VALUE, operation, group -> kvPropose(group, command, deadline));
  }

  private CompletionStage<KvWrite> kvPropose(String group, ByteString command, long deadline) {
    return propose(group, command, false, deadline).thenApply(p -> {
      KvResult r = KeyValueStateMachine.result(p.result());
      if (!r.getError().isEmpty()) throw new ChronikException(Kind.INVALID_ARGUMENT, r.getError());
      return new KvWrite(r, p.index());
    });
  }

  /** A compare-and-set of the metadata group's topic catalog ({@link TopicAdmin}); clients cannot write there. */
  CompletionStage<KvWrite> compareAndSetMetadata(Optional<ByteString> expected, ByteString catalog) {
    return kvPropose(TopicCatalog.GROUP, KeyValueStateMachine.compareAndSet(TopicCatalog.KEY, expected.orElse(null),
        catalog), NO_DEADLINE);
  }

  // ---------------------------------------------------------------- journal (Akka Persistence)

  /**
   * A command for a journal partition ({@code io.chronik.raft.statemachine.journal.JournalStateMachine},
   * what the Akka Persistence plugins write): its encoded result. Resent on an unknown outcome,
   * which that machine applies once (a resend of a stored write is recognised by its writer).
   */
  public CompletionStage<ByteString> journalCommand(String topic, int partition, ByteString command) {
    return command(topic, partition, JOURNAL, "JournalCommand", command, true, NO_DEADLINE);
  }

  private CompletionStage<ByteString> command(String topic, int partition, String kind, String operation,
      ByteString command, boolean idempotent, long deadline) {
    return onGroup(topic, partition, kind, operation,
        group -> propose(group, command, idempotent, deadline).thenApply(Proposed::result));
  }

  // ---------------------------------------------------------------- Kafka partitions

  /**
   * Appends Kafka record batches to a Kafka partition
   * ({@code io.chronik.raft.statemachine.kafka.KafkaLogStateMachine}); the encoded result. Resent
   * on an unknown outcome either way, and appended once: batches with producer ids are recognised
   * by them ({@code producerIds}); the others travel with an identity of this node
   * ({@link ProducerSlots}), as the gRPC API's produce does.
   */
  public CompletionStage<ByteString> kafkaProduce(String topic, int partition, List<ByteString> batches,
      boolean producerIds, long deadline) {
    long now = System.currentTimeMillis(); // stamped once: retention by age is deterministic
    if (producerIds) {
      return command(topic, partition, KAFKA, "Produce", KafkaLogStateMachine.append(batches, now), true, deadline);
    }
    return onGroup(topic, partition, KAFKA, "Produce", group -> {
      ProducerSlots.Slot slot = producerSlots.take(group);
      ByteString command = KafkaLogStateMachine.append(batches, now, slot.producerId, slot.sequence);
      return propose(group, command, true, deadline).thenApply(Proposed::result).whenComplete((result, e) -> {
        // As in produceOnce: an unknown outcome, or a sequence the partition refused, spends the identity.
        boolean spent = e != null && unwrap(e) instanceof ChronikException c
            && (c.kind() == Kind.OUTCOME_UNKNOWN || c.kind() == Kind.FAILED_PRECONDITION);
        int code = result == null ? 0 : KafkaLogStateMachine.appendResult(result).getErrorCode();
        if (code == org.apache.kafka.common.protocol.Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code()) spent = true;
        if (!spent) producerSlots.release(group, slot, result != null && code == 0);
      });
    });
  }

  /** A read of a Kafka partition under {@code policy} (empty: the node's), at least at log index {@code minIndex}. */
  public CompletionStage<ReadResult> kafkaQuery(String topic, int partition, ByteString query,
      Optional<ReadPolicy> policy, long minIndex, long deadline) {
    return onGroup(topic, partition, KAFKA, "Fetch", group -> read(group, query, policy, minIndex, deadline));
  }

  /** A {@code safe} read of a journal partition: sees every write acknowledged before it was asked. */
  public CompletionStage<ByteString> journalQuery(String topic, int partition, ByteString query) {
    return journalQuery(topic, partition, query, 0).thenApply(ReadResult::result);
  }

  /**
   * A {@code safe} read of a journal partition on state that includes at least log index
   * {@code minIndex}: with the last answer's applied index + 1, it waits until the partition applies
   * another entry (a long poll: live queries are woken by writes, not by a timer), failing with
   * TIMEOUT when none comes within the read timeout and retry window.
   */
  public CompletionStage<ReadResult> journalQuery(String topic, int partition, ByteString query, long minIndex) {
    return onGroup(topic, partition, JOURNAL, "JournalQuery",
        group -> read(group, query, Optional.of(ReadPolicy.SAFE), minIndex, NO_DEADLINE));
  }

  /**
   * How many partitions {@code topic} has on this node's view (0 when it knows none: not declared
   * in chronik.topics, or created at runtime and not heard of yet).
   */
  public int partitionCount(String topic) {
    int count = 0;
    for (String group : node.partitions().keySet()) {
      if (group.length() > topic.length() + 1 && group.startsWith(topic) && group.charAt(topic.length()) == '-'
          && group.substring(topic.length() + 1).chars().allMatch(Character::isDigit)) {
        count++;
      }
    }
    return count;
  }

  // ---------------------------------------------------------------- generic

  /** A linearizable index: served by a safe read, so at least every write acknowledged before the call. */
  public CompletionStage<ReadResult> readIndex(String topic, int partition) {
    return readIndex(topic, partition, NO_DEADLINE);
  }

  CompletionStage<ReadResult> readIndex(String topic, int partition, long deadline) {
    return onGroup(topic, partition, null, "ReadIndex",
        group -> read(group, ByteString.EMPTY, Optional.of(ReadPolicy.SAFE), 0, deadline));
  }

  /**
   * The status of every member of a partition's configuration that answers within
   * {@code chronik.client.status-timeout} (a replica on a node that is down or cut off is left
   * out), so this completes quickly whatever state the cluster is in. Every node this node knows
   * is asked, since members come and go; the configuration is the leader's (else the latest any
   * replica reports), and a replica that is no longer a member of it (removed, its data not
   * deleted yet) is left out.
   */
  public CompletionStage<List<ClientProtocol.Status>> status(String group) {
    List<CompletableFuture<Optional<ClientProtocol.Status>>> asks = new ArrayList<>();
    for (String n : node.knownNodes()) {
      asks.add(node.<StatusReply>ask(group, n, ClientProtocol.GetStatus::new, statusTimeout).toCompletableFuture()
          .handle((r, e) -> r instanceof ClientProtocol.Status s ? Optional.of(s) : Optional.empty()));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<ClientProtocol.Status> out = new ArrayList<>();
      for (CompletableFuture<Optional<ClientProtocol.Status>> a : asks) a.join().ifPresent(out::add);
      Optional<io.chronik.raft.core.Configuration> config = io.chronik.raft.cluster.ReplicaMover.view(group, out).config();
      config.ifPresent(c -> out.removeIf(s -> !c.isMember(s.replicaId())));
      return out;
    });
  }

  static final String RECORD_LOG = "record-log";
  static final String KEY_VALUE = "key-value";
  static final String JOURNAL = "journal";
  static final String KAFKA = "kafka";

  /**
   * The partition of a request that only a {@code kind} state machine understands; refused before
   * anything is proposed when the partition runs another one.
   */
  String group(String topic, int partition, String kind, String operation) {
    String group = group(topic, partition);
    if (topic.equals(TopicCatalog.TOPIC) && !operation.equals("Get") && !operation.equals("ReadIndex")) {
      throw new ChronikException(Kind.INVALID_ARGUMENT, "topic " + topic + " is the cluster's metadata (the topics "
          + "created at runtime): change it with chronik topic create / delete, not with " + operation);
    }
    Optional<String> actual = node.kind(group);
    if (kind != null && actual.isPresent() && !actual.get().equals(kind)) {
      throw new ChronikException(Kind.INVALID_ARGUMENT, operation + " needs a " + kind + " partition, but " + group
          + " is a " + actual.get() + " partition (topic '" + topic + "' was declared with state-machine = "
          + actual.get() + "); use " + switch (actual.get()) {
            case RECORD_LOG -> "Produce and Fetch";
            case JOURNAL -> "chronik's Akka Persistence plugins";
            case KAFKA -> "a Kafka client, through the node's Kafka listener (chronik.kafka.port)";
            default -> "Put, Get, Delete and CompareAndSet";
          } + " on it");
    }
    return group;
  }

  /**
   * Runs {@code call} on the partition's group. A topic this node does not know may have been
   * created moments ago through another node: it reads the metadata group's topics once before
   * answering NOT_FOUND.
   */
  private <T> CompletionStage<T> onGroup(String topic, int partition, String kind, String operation,
      java.util.function.Function<String, CompletionStage<T>> call) {
    try {
      return call.apply(group(topic, partition, kind, operation));
    } catch (ChronikException e) {
      if (e.kind() != Kind.NOT_FOUND || topic.startsWith("__")) return CompletableFuture.failedFuture(e);
      return topics.refresh().handle((catalog, error) -> catalog).thenCompose(catalog -> {
        try {
          return call.apply(group(topic, partition, kind, operation));
        } catch (ChronikException again) {
          return CompletableFuture.failedFuture(again);
        }
      });
    }
  }

  /** The partition (group) id of a topic partition; fails with NOT_FOUND when it is not configured. */
  public String group(String topic, int partition) {
    String group = topic + "-" + partition;
    if (!node.hasPartition(group)) {
      throw new ChronikException(Kind.NOT_FOUND, "no partition " + partition + " of topic '" + topic
          + "'; configured partitions: " + node.partitions().keySet());
    }
    return group;
  }

  // ---------------------------------------------------------------- routing and retries

  /**
   * Proposes {@code command} through the partition's leader. "Nothing happened" answers are retried;
   * an unknown outcome (the write was handed over and not answered) is retried only when
   * {@code idempotent} (the partition applies a resend at most once), else reported at once.
   */
  private CompletionStage<Proposed> propose(String group, ByteString command, boolean idempotent, long deadline) {
    if (command.size() > maxEntryBytes) {
      return CompletableFuture.failedFuture(new ChronikException(Kind.INVALID_ARGUMENT, "the write is " + command.size()
          + " bytes, over chronik.raft.max-entry-bytes (" + maxEntryBytes + "); split it into smaller writes"));
    }
    java.util.concurrent.atomic.AtomicReference<ChronikException> unknown = new java.util.concurrent.atomic.AtomicReference<>();
    CompletionStage<Proposed> out = withRetries(group, deadline, (target, attempt, timeout) -> node.<ProposeReply>ask(group,
        target, r -> new ClientProtocol.Propose(command, r), timeout).handle((reply, error) -> {
          if (reply instanceof Proposed p) return Attempt.<Proposed>done(p);
          if (reply instanceof ClientProtocol.NotLeader || reply instanceof ClientProtocol.UnknownPartition
              || unwrap(error) instanceof UnknownNodeException) {
            return Attempt.<Proposed>retry(error != null ? failure(group, unwrap(error)) : failure(group, reply));
          }
          boolean handedOver = error != null || reply instanceof ClientProtocol.OutcomeUnknown;
          if (!handedOver) throw failure(group, reply);
          // A timeout here means the write was handed over and never answered: its outcome is unknown.
          ChronikException why = outcomeUnknown(group, error != null ? unwrap(error) : failure(group, reply), idempotent);
          if (!idempotent) throw why;
          unknown.set(why);
          return Attempt.<Proposed>retry(why);
        }));
    // Once an attempt may have been applied, a later "nothing happened" does not make the write's outcome known.
    return out.handle((p, e) -> {
      if (e == null) return p;
      ChronikException last = unwrap(e) instanceof ChronikException c ? c : failure(group, unwrap(e));
      if (unknown.get() != null && last.kind() != Kind.OUTCOME_UNKNOWN && last.kind() != Kind.INVALID_ARGUMENT
          && last.kind() != Kind.FAILED_PRECONDITION) {
        throw unknown.get();
      }
      throw last;
    });
  }

  private CompletionStage<ReadResult> read(String group, ByteString query, Optional<ReadPolicy> policy, long minIndex,
      long deadline) {
    return withRetries(group, deadline, (target, attempt, timeout) -> node.<ReadReply>ask(group, target,
        r -> new ReadProtocol.Read(query, policy, minIndex, r), timeout).handle((reply, error) -> {
          if (reply instanceof ReadResult rr) return Attempt.<ReadResult>done(rr);
          // A read changes nothing, so every failure but a refusal of the request itself may be retried.
          return Attempt.<ReadResult>retry(error != null ? failure(group, unwrap(error)) : failure(group, reply));
        }));
  }

  /** One try: its result, or the failure to report if no retry is left. */
  private record Attempt<T>(T value, ChronikException retryable) {
    static <T> Attempt<T> done(T value) {
      return new Attempt<>(value, null);
    }

    static <T> Attempt<T> retry(ChronikException why) {
      return new Attempt<>(null, why);
    }
  }

  private interface Try<T> {
    /** One attempt at {@code target}, which must answer within {@code timeout}. */
    CompletionStage<Attempt<T>> run(String target, int attempt, Duration timeout);
  }

  /**
   * Runs attempts until one succeeds or fails for good, retrying for {@code chronik.client.retry-window};
   * {@code callerDeadline} (a {@link System#nanoTime} instant, or {@link #NO_DEADLINE}) bounds both the
   * retries and each attempt, so that the caller hears the outcome before it stops waiting.
   */
  private <T> CompletionStage<T> withRetries(String group, long callerDeadline, Try<T> once) {
    long now = System.nanoTime();
    long answerBy = callerDeadline == NO_DEADLINE ? NO_DEADLINE
        : callerDeadline - deadlineMargin(callerDeadline - now);
    if (answerBy != NO_DEADLINE && answerBy <= now) {
      return CompletableFuture.failedFuture(new ChronikException(Kind.TIMEOUT, "the request's deadline had passed "
          + "before partition " + group + " was asked; nothing was done (give it a longer deadline)"));
    }
    long retryUntil = Math.min(now + retryWindow.toNanos(), answerBy);
    CompletableFuture<T> out = new CompletableFuture<>();
    attempt(group, once, 1, retryUntil, answerBy, out);
    return out;
  }

  private <T> void attempt(String group, Try<T> once, int attempt, long retryUntil, long answerBy,
      CompletableFuture<T> out) {
    String target;
    try {
      target = target(group, attempt);
    } catch (ChronikException e) {
      out.completeExceptionally(e);
      return;
    }
    long left = answerBy == NO_DEADLINE ? Long.MAX_VALUE : answerBy - System.nanoTime();
    Duration timeout = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(requestTimeout.toNanos(), left)));
    once.run(target, attempt, timeout).whenComplete((result, error) -> {
      if (error != null) {
        out.completeExceptionally(unwrap(error));
      } else if (result.retryable() == null) {
        out.complete(result.value());
      } else {
        long delay = backoffNanos(attempt);
        if (System.nanoTime() + delay >= retryUntil) {
          out.completeExceptionally(result.retryable());
        } else {
          CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS)
              .execute(() -> attempt(group, once, attempt + 1, retryUntil, answerBy, out));
        }
      }
    });
  }

  /** Exponential from min-backoff to max-backoff, with full jitter over its upper half. */
  private long backoffNanos(int attempt) {
    long cap = Math.min(maxBackoff.toNanos(), minBackoff.toNanos() << Math.min(attempt - 1, 20));
    return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
  }

  /**
   * This node's replica when it hosts one; else a replica on a node that is an admitted member, a
   * different one on each attempt; else one membership deems reachable; else any replica whose
   * node's address is known.
   */
  private String target(String group, int attempt) {
    if (node.hostsReplicaOf(group)) return node.nodeId();
    List<String> voters = node.replicaNodes(group);
    if (voters.isEmpty()) voters = node.knownNodes().stream().filter(n -> !n.equals(node.nodeId())).toList();
    if (voters.isEmpty()) {
      throw new ChronikException(Kind.UNAVAILABLE, "partition " + group + ": this node holds no replica of it and "
          + "knows no other node yet; retry shortly");
    }
    List<String> live = voters.stream().filter(node::serving).toList();
    if (live.isEmpty()) live = voters.stream().filter(node::reachable).toList();
    List<String> candidates = live.isEmpty() ? voters : live;
    return candidates.get((ThreadLocalRandom.current().nextInt(candidates.size()) + attempt) % candidates.size());
  }

  static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private static ChronikException outcomeUnknown(String group, Throwable e, boolean idempotent) {
    String detail = (e instanceof ChronikException c ? c.getMessage() : "no answer in time: " + e)
        .replaceAll("[;,]? (the write|it) may or may not have been applied", "");
    return new ChronikException(Kind.OUTCOME_UNKNOWN, "partition " + group + ": " + detail + "; the write may or may "
        + "not have been applied: " + (idempotent
            ? "it was resent with the same producer id and sequence until the retry window closed, so resending it "
                + "(same producer id and sequence) appends it at most once"
            : "read to find out before writing again (a blind retry may apply it twice)"));
  }

  private static ChronikException failure(String group, Object reply) {
    if (reply instanceof ChronikException c) return c;
    if (reply instanceof UnknownNodeException u) return new ChronikException(Kind.UNAVAILABLE, u.getMessage());
    if (reply instanceof java.util.concurrent.TimeoutException || reply instanceof akka.pattern.AskTimeoutException) {
      return new ChronikException(Kind.TIMEOUT, "no answer from partition " + group + " in time");
    }
    if (reply instanceof ClientProtocol.NotLeader nl) {
      return new ChronikException(Kind.UNAVAILABLE, "partition " + group + " has no leader right now; retry shortly",
          nl.leaderHint());
    }
    if (reply instanceof ReadProtocol.NoLeader nl) {
      return new ChronikException(Kind.UNAVAILABLE, "partition " + group + " has no leader right now; retry shortly",
          nl.leaderHint());
    }
    if (reply instanceof ReadProtocol.RetryLater rl) {
      return new ChronikException(Kind.UNAVAILABLE, "partition " + group + ": " + rl.reason(), rl.leaderHint());
    }
    if (reply instanceof ReadProtocol.ReadTimeout t) {
      return new ChronikException(Kind.TIMEOUT, "read on partition " + group + " did not complete within " + t.after());
    }
    if (reply instanceof ClientProtocol.ProposalRejected r) return new ChronikException(Kind.INVALID_ARGUMENT, r.reason());
    if (reply instanceof ClientProtocol.OutcomeUnknown u) return new ChronikException(Kind.OUTCOME_UNKNOWN, u.reason());
    if (reply instanceof ClientProtocol.UnknownPartition u) {
      return new ChronikException(Kind.UNAVAILABLE, "partition " + u.groupId() + " is not hosted where this node "
          + "expected it (are all nodes configured with the same chronik.cluster.nodes and topics?)");
    }
    if (reply instanceof Throwable t) {
      return new ChronikException(Kind.UNAVAILABLE, "partition " + group + ": " + t.getMessage());
    }
    return new ChronikException(Kind.UNAVAILABLE, "unexpected answer from partition " + group + ": " + reply);
  }
}
