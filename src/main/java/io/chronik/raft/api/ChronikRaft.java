package io.chronik.raft.api;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import io.chronik.raft.api.ChronikException.Kind;
import io.chronik.raft.cluster.ClusterNode;
import io.chronik.raft.cluster.UnknownNodeException;
import io.chronik.raft.metrics.NodeMetrics;
import io.chronik.raft.replica.ClientProtocol;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.StatusReply;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.replica.ReadProtocol;
import io.chronik.raft.replica.ReadProtocol.ReadReply;
import io.chronik.raft.replica.ReadProtocol.ReadResult;
import io.chronik.raft.statemachine.KeyValueStateMachine;
import io.chronik.raft.statemachine.RecordLogStateMachine;
import io.chronik.raft.statemachine.proto.KvResult;
import io.chronik.raft.statemachine.proto.RecordLogAppendResult;
import io.chronik.raft.statemachine.proto.RecordLogReadResult;
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

  public static final class Id extends ExtensionId<ChronikRaft> {
    private static final Id INSTANCE = new Id();

    @Override
    public ChronikRaft createExtension(ActorSystem<?> system) {
      return new ChronikRaft(system, ClusterNode.start(system, NodeMetrics.get(system).registry()));
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
  }

  public ClusterNode node() {
    return node;
  }

  // ---------------------------------------------------------------- record log

  public record Produced(long baseOffset, int count, long logIndex, String leader) {}

  public record Fetched(List<ByteString> records, long firstOffset, long highWatermark, String servedBy,
      long appliedIndex, long logStartOffset) {}

  public CompletionStage<Produced> produce(String topic, int partition, List<ByteString> records) {
    String group = group(topic, partition);
    // Stamped here, once: every replica expires by this time, so retention by age is deterministic.
    return propose(group, RecordLogStateMachine.append(records, System.currentTimeMillis())).thenApply(p -> {
      RecordLogAppendResult r = RecordLogStateMachine.appendResult(p.result());
      if (!r.getError().isEmpty()) throw new ChronikException(Kind.INVALID_ARGUMENT, r.getError());
      return new Produced(r.getFirstOffset(), r.getCount(), p.index(), p.leader());
    });
  }

  public CompletionStage<Fetched> fetch(String topic, int partition, long offset, int maxRecords, long maxBytes,
      Optional<ReadPolicy> policy, long minIndex) {
    return read(group(topic, partition), RecordLogStateMachine.read(offset, maxRecords, maxBytes), policy, minIndex)
        .thenApply(rr -> {
          RecordLogReadResult r = RecordLogStateMachine.readResult(rr.result());
          if (r.getOutOfRange()) throw new ChronikException(Kind.OUT_OF_RANGE, r.getError());
          if (r.getReplicaFault()) throw new ChronikException(Kind.UNAVAILABLE, r.getError() + " (served by " + rr.servedBy() + ")");
          if (!r.getError().isEmpty()) throw new ChronikException(Kind.INVALID_ARGUMENT, r.getError());
          return new Fetched(r.getRecordsList(), r.getFirstOffset(), r.getHighWatermark(), rr.servedBy(),
              rr.appliedIndex(), r.getLogStartOffset());
        });
  }

  // ---------------------------------------------------------------- key-value

  public record KvWrite(KvResult result, long logIndex) {}

  public record KvRead(KvResult result, String servedBy, long appliedIndex) {}

  public CompletionStage<KvWrite> put(String topic, int partition, String key, ByteString value) {
    return kvWrite(group(topic, partition), KeyValueStateMachine.put(key, value));
  }

  public CompletionStage<KvWrite> delete(String topic, int partition, String key) {
    return kvWrite(group(topic, partition), KeyValueStateMachine.delete(key));
  }

  /** {@code expected} empty: only if the key is absent. */
  public CompletionStage<KvWrite> compareAndSet(String topic, int partition, String key, Optional<ByteString> expected,
      ByteString newValue) {
    return kvWrite(group(topic, partition), KeyValueStateMachine.compareAndSet(key, expected.orElse(null), newValue));
  }

  public CompletionStage<KvRead> get(String topic, int partition, String key, Optional<ReadPolicy> policy,
      long minIndex) {
    return read(group(topic, partition), KeyValueStateMachine.get(key), policy, minIndex)
        .thenApply(rr -> new KvRead(KeyValueStateMachine.result(rr.result()), rr.servedBy(), rr.appliedIndex()));
  }

  private CompletionStage<KvWrite> kvWrite(String group, ByteString command) {
    return propose(group, command).thenApply(p -> {
      KvResult r = KeyValueStateMachine.result(p.result());
      if (!r.getError().isEmpty()) throw new ChronikException(Kind.INVALID_ARGUMENT, r.getError());
      return new KvWrite(r, p.index());
    });
  }

  // ---------------------------------------------------------------- generic

  /** A linearizable index: served by a safe read, so at least every write acknowledged before the call. */
  public CompletionStage<ReadResult> readIndex(String topic, int partition) {
    return read(group(topic, partition), ByteString.EMPTY, Optional.of(ReadPolicy.SAFE), 0);
  }

  /**
   * The status of every replica of a partition that answers within {@code chronik.client.status-timeout}
   * (a replica on a node that is down or cut off is left out), so this completes quickly whatever
   * state the cluster is in.
   */
  public CompletionStage<List<ClientProtocol.Status>> status(String group) {
    List<CompletableFuture<Optional<ClientProtocol.Status>>> asks = new ArrayList<>();
    for (String voter : node.voters(group)) {
      asks.add(node.<StatusReply>ask(group, voter, ClientProtocol.GetStatus::new, statusTimeout).toCompletableFuture()
          .handle((r, e) -> r instanceof ClientProtocol.Status s ? Optional.of(s) : Optional.empty()));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<ClientProtocol.Status> out = new ArrayList<>();
      for (CompletableFuture<Optional<ClientProtocol.Status>> a : asks) a.join().ifPresent(out::add);
      return out;
    });
  }

  /** The partition (group) id of a topic partition; fails with NOT_FOUND when it is not configured. */
  public String group(String topic, int partition) {
    String group = topic + "-" + partition;
    if (!node.partitions().containsKey(group)) {
      throw new ChronikException(Kind.NOT_FOUND, "no partition " + partition + " of topic '" + topic
          + "'; configured partitions: " + node.partitions().keySet());
    }
    return group;
  }

  // ---------------------------------------------------------------- routing and retries

  private CompletionStage<Proposed> propose(String group, ByteString command) {
    if (command.size() > maxEntryBytes) {
      return CompletableFuture.failedFuture(new ChronikException(Kind.INVALID_ARGUMENT, "the write is " + command.size()
          + " bytes, over chronik.raft.max-entry-bytes (" + maxEntryBytes + "); split it into smaller writes"));
    }
    return withRetries(group, (target, attempt) -> node.<ProposeReply>ask(group, target,
        r -> new ClientProtocol.Propose(command, r)).handle((reply, error) -> {
          if (reply instanceof Proposed p) return Attempt.<Proposed>done(p);
          if (reply instanceof ClientProtocol.NotLeader || reply instanceof ClientProtocol.UnknownPartition
              || unwrap(error) instanceof UnknownNodeException) {
            return Attempt.<Proposed>retry(error != null ? failure(group, unwrap(error)) : failure(group, reply));
          }
          // A timeout here means the write was handed over and never answered: its outcome is unknown.
          throw error != null ? outcomeUnknown(group, unwrap(error)) : failure(group, reply);
        }));
  }

  private CompletionStage<ReadResult> read(String group, ByteString query, Optional<ReadPolicy> policy, long minIndex) {
    return withRetries(group, (target, attempt) -> node.<ReadReply>ask(group, target,
        r -> new ReadProtocol.Read(query, policy, minIndex, r)).handle((reply, error) -> {
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
    CompletionStage<Attempt<T>> run(String target, int attempt);
  }

  private <T> CompletionStage<T> withRetries(String group, Try<T> once) {
    long deadline = System.nanoTime() + retryWindow.toNanos();
    CompletableFuture<T> out = new CompletableFuture<>();
    attempt(group, once, 1, deadline, out);
    return out;
  }

  private <T> void attempt(String group, Try<T> once, int attempt, long deadline, CompletableFuture<T> out) {
    String target;
    try {
      target = target(group, attempt);
    } catch (ChronikException e) {
      out.completeExceptionally(e);
      return;
    }
    once.run(target, attempt).whenComplete((result, error) -> {
      if (error != null) {
        out.completeExceptionally(unwrap(error));
      } else if (result.retryable() == null) {
        out.complete(result.value());
      } else {
        long delay = backoffNanos(attempt);
        if (System.nanoTime() + delay >= deadline) {
          out.completeExceptionally(result.retryable());
        } else {
          CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS)
              .execute(() -> attempt(group, once, attempt + 1, deadline, out));
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
   * This node's replica when it hosts one; else a replica on a node membership deems reachable,
   * a different one on each attempt; else any replica whose node's address is known.
   */
  private String target(String group, int attempt) {
    if (node.hostsReplicaOf(group)) return node.nodeId();
    List<String> voters = node.voters(group);
    List<String> live = voters.stream().filter(node::reachable).toList();
    List<String> candidates = live.isEmpty() ? voters : live;
    return candidates.get((ThreadLocalRandom.current().nextInt(candidates.size()) + attempt) % candidates.size());
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private static ChronikException outcomeUnknown(String group, Throwable e) {
    if (e instanceof ChronikException c) return c;
    return new ChronikException(Kind.OUTCOME_UNKNOWN, "no answer from partition " + group + " in time (" + e
        + "); the write may or may not have been applied: read to find out");
  }

  private static ChronikException failure(String group, Object reply) {
    if (reply instanceof ChronikException c) return c;
    if (reply instanceof UnknownNodeException u) return new ChronikException(Kind.UNAVAILABLE, u.getMessage());
    if (reply instanceof java.util.concurrent.TimeoutException || reply instanceof akka.pattern.AskTimeoutException) {
      return new ChronikException(Kind.TIMEOUT, "no answer from partition " + group + " in time; retry");
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
