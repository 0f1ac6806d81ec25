package io.chronik.raft.api;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.pattern.Patterns;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.ChronikException.Kind;
import io.chronik.raft.cluster.ClusterNode;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Java API of chronik-raft inside an Akka Cluster application: {@code ChronikRaft.get(system)}.
 * Writes go to the partition's leader (found and cached; a {@code NotLeader} answer redirects);
 * reads are served by this node's replica when it hosts one, else by another replica, under the
 * read policy. Failures complete the stage with a {@link ChronikException}.
 */
public final class ChronikRaft implements Extension {
  private static final int MAX_ATTEMPTS = 8;
  private static final Duration RETRY_DELAY = Duration.ofMillis(100);

  private final ActorSystem<?> system;
  private final ClusterNode node;
  private final Map<String, String> leaders = new ConcurrentHashMap<>();
  private final long maxEntryBytes;

  public static final class Id extends ExtensionId<ChronikRaft> {
    private static final Id INSTANCE = new Id();

    @Override
    public ChronikRaft createExtension(ActorSystem<?> system) {
      return new ChronikRaft(system, ClusterNode.start(system));
    }
  }

  public static ChronikRaft get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  private ChronikRaft(ActorSystem<?> system, ClusterNode node) {
    this.system = system;
    this.node = node;
    this.maxEntryBytes = system.settings().config().getBytes("chronik.raft.max-entry-bytes");
  }

  public ClusterNode node() {
    return node;
  }

  // ---------------------------------------------------------------- record log

  public record Produced(long baseOffset, int count, long logIndex, String leader) {}

  public record Fetched(List<ByteString> records, long firstOffset, long highWatermark, String servedBy,
      long appliedIndex) {}

  public CompletionStage<Produced> produce(String topic, int partition, List<ByteString> records) {
    String group = group(topic, partition);
    return propose(group, RecordLogStateMachine.append(records)).thenApply(p -> {
      RecordLogAppendResult r = RecordLogStateMachine.appendResult(p.proposed.result());
      if (!r.getError().isEmpty()) throw new ChronikException(Kind.INVALID_ARGUMENT, r.getError());
      return new Produced(r.getFirstOffset(), r.getCount(), p.proposed.index(), p.leader);
    });
  }

  public CompletionStage<Fetched> fetch(String topic, int partition, long offset, int maxRecords, long maxBytes,
      Optional<ReadPolicy> policy, long minIndex) {
    return read(group(topic, partition), RecordLogStateMachine.read(offset, maxRecords, maxBytes), policy, minIndex)
        .thenApply(rr -> {
          RecordLogReadResult r = RecordLogStateMachine.readResult(rr.result());
          if (!r.getError().isEmpty()) throw new ChronikException(Kind.INVALID_ARGUMENT, r.getError());
          return new Fetched(r.getRecordsList(), r.getFirstOffset(), r.getHighWatermark(), rr.servedBy(),
              rr.appliedIndex());
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
      KvResult r = KeyValueStateMachine.result(p.proposed.result());
      if (!r.getError().isEmpty()) throw new ChronikException(Kind.INVALID_ARGUMENT, r.getError());
      return new KvWrite(r, p.proposed.index());
    });
  }

  // ---------------------------------------------------------------- generic

  /** A linearizable index: served by a safe read, so at least every write acknowledged before the call. */
  public CompletionStage<ReadResult> readIndex(String topic, int partition) {
    return read(group(topic, partition), ByteString.EMPTY, Optional.of(ReadPolicy.SAFE), 0);
  }

  /** The status of every replica of a partition (a replica that does not answer is left out). */
  public CompletionStage<List<ClientProtocol.Status>> status(String group) {
    List<CompletableFuture<Optional<ClientProtocol.Status>>> asks = new ArrayList<>();
    for (String voter : node.voters(group)) {
      asks.add(node.<StatusReply>ask(group, voter, ClientProtocol.GetStatus::new).toCompletableFuture()
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

  private record Committed(Proposed proposed, String leader) {}

  private CompletionStage<Committed> propose(String group, ByteString command) {
    if (command.size() > maxEntryBytes) {
      return CompletableFuture.failedFuture(new ChronikException(Kind.INVALID_ARGUMENT, "the write is " + command.size()
          + " bytes, over chronik.raft.max-entry-bytes (" + maxEntryBytes + "); split it into smaller writes"));
    }
    String cached = leaders.get(group);
    try {
      String target = cached != null && node.nodeUp(cached) ? cached : liveVoter(group, null);
      return proposeAt(group, command, target, 1);
    } catch (ChronikException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletionStage<Committed> proposeAt(String group, ByteString command, String target, int attempt) {
    return node.<ProposeReply>ask(group, target, r -> new ClientProtocol.Propose(command, r))
        .thenCompose(reply -> {
          if (reply instanceof Proposed p) {
            leaders.put(group, target);
            return CompletableFuture.completedFuture(new Committed(p, target));
          }
          if (reply instanceof ClientProtocol.NotLeader nl && attempt < MAX_ATTEMPTS) {
            leaders.remove(group);
            String next = nl.leaderHint().filter(node::nodeUp).orElse(liveVoter(group, target));
            Duration delay = nl.leaderHint().isPresent() ? Duration.ZERO : RETRY_DELAY;
            return later(delay, () -> proposeAt(group, command, next, attempt + 1));
          }
          throw failure(group, reply);
        });
  }

  private CompletionStage<ReadResult> read(String group, ByteString query, Optional<ReadPolicy> policy, long minIndex) {
    try {
      String target = node.voters(group).contains(node.nodeId()) ? node.nodeId() : liveVoter(group, null);
      return readAt(group, query, policy, minIndex, target, 1);
    } catch (ChronikException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletionStage<ReadResult> readAt(String group, ByteString query, Optional<ReadPolicy> policy, long minIndex,
      String target, int attempt) {
    return node.<ReadReply>ask(group, target, r -> new ReadProtocol.Read(query, policy, minIndex, r))
        .thenCompose(reply -> {
          if (reply instanceof ReadResult rr) return CompletableFuture.completedFuture(rr);
          boolean retryable = reply instanceof ReadProtocol.NoLeader || reply instanceof ReadProtocol.RetryLater;
          if (retryable && attempt < MAX_ATTEMPTS) {
            return later(RETRY_DELAY, () -> readAt(group, query, policy, minIndex, target, attempt + 1));
          }
          throw failure(group, reply);
        });
  }

  /** A voter of {@code group} on an Up node, other than {@code not} when possible. */
  private String liveVoter(String group, String not) {
    List<String> voters = node.voters(group);
    List<String> live = voters.stream().filter(v -> !v.equals(not) && node.nodeUp(v)).toList();
    if (live.isEmpty()) live = voters.stream().filter(node::nodeUp).toList();
    if (live.isEmpty()) {
      throw new ChronikException(Kind.UNAVAILABLE, "no replica of partition " + group + " is on a running node "
          + voters + "; start those nodes");
    }
    return live.get(ThreadLocalRandom.current().nextInt(live.size()));
  }

  private <T> CompletionStage<T> later(Duration delay, java.util.concurrent.Callable<CompletionStage<T>> next) {
    if (delay.isZero()) {
      try {
        return next.call();
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    }
    return Patterns.after(delay, system.classicSystem().scheduler(), system.executionContext(), next);
  }

  private static ChronikException failure(String group, Object reply) {
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
      return new ChronikException(Kind.NOT_FOUND, "partition " + u.groupId() + " is not hosted");
    }
    return new ChronikException(Kind.UNAVAILABLE, "unexpected answer from partition " + group + ": " + reply);
  }
}
