package io.chronik.raft.persistence;

import akka.actor.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.typesafe.config.Config;
import io.chronik.raft.api.ChronikException;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.persistence.proto.JournalCommand;
import io.chronik.raft.persistence.proto.JournalQuery;
import io.chronik.raft.persistence.proto.JournalReadResult;
import io.chronik.raft.persistence.proto.JournalResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The journal topic a plugin keeps its data in: a persistence id lives in partition
 * {@code hash(id) mod partitions} (String.hashCode, the same in every JVM), so every event and
 * snapshot of one entity is in one Raft group, written in order through one {@link WriteLane}.
 */
final class JournalTopic {
  private final ChronikRaft chronik;
  private final String topic;
  private final long maxBatchBytes;
  private final int maxInFlight;
  private final java.util.concurrent.Executor executor;
  private volatile WriteLane[] lanes = new WriteLane[0];

  JournalTopic(ActorSystem system, Config pluginConfig) {
    this.chronik = ChronikRaft.get(Adapter.toTyped(system));
    this.topic = pluginConfig.getString("topic");
    this.executor = system.dispatcher();
    // The read journal writes nothing and has no such setting.
    this.maxInFlight = pluginConfig.hasPath("max-entries-in-flight") ? pluginConfig.getInt("max-entries-in-flight") : 1;
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("max-entries-in-flight must be >= 1, got " + maxInFlight);
    }
    // Half an entry's limit leaves room for the command's own framing.
    this.maxBatchBytes = system.settings().config().getBytes("chronik.raft.max-entry-bytes") / 2;
  }

  String name() {
    return topic;
  }

  int partitionOf(String persistenceId) {
    return Math.floorMod(persistenceId.hashCode(), lanes().length);
  }

  /** Writes {@code command} after every earlier one of its partition; the machine's result. */
  CompletionStage<JournalResult> command(String persistenceId, JournalCommand command) {
    return lanes()[partitionOf(persistenceId)].submit(persistenceId, command);
  }

  CompletionStage<JournalReadResult> query(String persistenceId, JournalQuery query) {
    return query(partitionOf(persistenceId), query, 0).thenApply(Answer::result);
  }

  /** A journal read's result, and the partition's applied index it was served at. */
  record Answer(JournalReadResult result, long appliedIndex) {}

  /** A safe read of {@code partition} on state that includes log index {@code minIndex} (a long poll, see ChronikRaft). */
  CompletionStage<Answer> query(int partition, JournalQuery query, long minIndex) {
    return chronik.journalQuery(topic, partition, query.toByteString(), minIndex).thenApply(read -> {
      JournalReadResult r;
      try {
        r = JournalReadResult.parseFrom(read.result());
      } catch (InvalidProtocolBufferException e) {
        throw new ChronikException(ChronikException.Kind.INVALID_ARGUMENT, "partition " + topic + "-" + partition
            + " is not a journal partition (its answer is not a JournalReadResult)");
      }
      if (!r.getError().isEmpty()) {
        throw new ChronikException(r.getReplicaFault() ? ChronikException.Kind.UNAVAILABLE
            : ChronikException.Kind.INVALID_ARGUMENT, r.getError());
      }
      return new Answer(r, read.appliedIndex());
    });
  }

  int partitions() {
    return lanes().length;
  }

  /** The topic's partitions, one lane each: found once the node knows the topic. */
  private WriteLane[] lanes() {
    WriteLane[] known = lanes;
    if (known.length > 0) return known;
    synchronized (this) {
      if (lanes.length > 0) return lanes;
      int partitions = chronik.partitionCount(topic);
      if (partitions == 0) {
        throw new ChronikException(ChronikException.Kind.NOT_FOUND, "the Akka Persistence topic '" + topic
            + "' does not exist on this node: declare it in chronik.topics with state-machine = journal, or create "
            + "it with `chronik topic create " + topic + " --kind journal` (the plugin's topic setting names it)");
      }
      WriteLane[] created = new WriteLane[partitions];
      for (int p = 0; p < partitions; p++) {
        int partition = p;
        created[p] = new WriteLane(maxBatchBytes, maxInFlight,
            bytes -> chronik.journalCommand(topic, partition, bytes).thenApply(JournalTopic::result), executor);
      }
      lanes = created;
      return created;
    }
  }

  private static JournalResult result(ByteString bytes) {
    try {
      return JournalResult.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new ChronikException(ChronikException.Kind.INVALID_ARGUMENT, "not a journal partition's answer");
    }
  }

  static <T> CompletionStage<T> failed(Throwable e) {
    return CompletableFuture.failedFuture(e);
  }
}
