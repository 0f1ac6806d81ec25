package io.chronik.raft.kafka;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.api.ChronikException;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.kafka.proto.KafkaCommittedOffset;
import io.chronik.raft.replica.ReadPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Committed offsets of consumer groups, for consumers that {@code assign()} their partitions:
 * FindCoordinator names the node asked (every node serves every group), OffsetCommit writes each
 * partition's offset to the offsets topic (key-value; created on the first commit) and OffsetFetch
 * reads them with a {@code safe} read, so a consumer that starts after a commit was acknowledged
 * resumes from it on any node. No group membership (JoinGroup, SyncGroup, Heartbeat): a commit
 * is accepted whatever generation it names.
 */
final class GroupOffsetsApi {
  private final ChronikRaft chronik;
  private final Brokers brokers;
  private final String topic;
  private final int createPartitions;

  GroupOffsetsApi(ChronikRaft chronik, Brokers brokers, String topic, int createPartitions) {
    this.chronik = chronik;
    this.brokers = brokers;
    this.topic = topic;
    this.createPartitions = createPartitions;
  }

  FindCoordinatorResponseData findCoordinator(FindCoordinatorRequestData request, short version) {
    FindCoordinatorResponseData out = new FindCoordinatorResponseData();
    Optional<Brokers.Broker> self = brokers.broker(chronik.node().nodeId());
    boolean group = request.keyType() == 0;
    Errors error = !group ? Errors.INVALID_REQUEST : self.isEmpty() ? Errors.COORDINATOR_NOT_AVAILABLE : Errors.NONE;
    String message = !group ? "transactions are not supported (no transaction coordinator)" : null;
    if (version >= 4) {
      for (String key : request.coordinatorKeys()) {
        FindCoordinatorResponseData.Coordinator c = new FindCoordinatorResponseData.Coordinator().setKey(key)
            .setErrorCode(error.code()).setErrorMessage(message).setNodeId(-1).setHost("").setPort(-1);
        self.filter(b -> group).ifPresent(b -> c.setNodeId(b.id()).setHost(b.host()).setPort(b.port()));
        out.coordinators().add(c);
      }
      return out;
    }
    out.setErrorCode(error.code()).setNodeId(-1).setHost("").setPort(-1);
    if (version >= 1) out.setErrorMessage(message);
    self.filter(b -> group).ifPresent(b -> out.setNodeId(b.id()).setHost(b.host()).setPort(b.port()));
    return out;
  }

  CompletionStage<OffsetCommitResponseData> commit(OffsetCommitRequestData request) {
    OffsetCommitResponseData out = new OffsetCommitResponseData();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
      OffsetCommitResponseData.OffsetCommitResponseTopic rt = new OffsetCommitResponseData.OffsetCommitResponseTopic()
          .setName(t.name());
      out.topics().add(rt);
      for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
        OffsetCommitResponseData.OffsetCommitResponsePartition rp =
            new OffsetCommitResponseData.OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex());
        rt.partitions().add(rp);
        ByteString value = KafkaCommittedOffset.newBuilder().setOffset(p.committedOffset())
            .setLeaderEpoch(p.committedLeaderEpoch()).setMetadata(p.committedMetadata() == null ? "" : p.committedMetadata())
            .setCommitTimeMs(now).build().toByteString();
        String key = key(request.groupId(), t.name(), p.partitionIndex());
        pending.add(withTopic(() -> chronik.put(topic, partitionOf(request.groupId()), key, value))
            .<Void>handle((w, e) -> {
              if (e != null) rp.setErrorCode(error(e).code());
              return null;
            }).toCompletableFuture());
      }
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(v -> out);
  }

  /** OffsetFetch of one group (versions 1 to 7): named partitions only (all of a group's is not kept as a list). */
  CompletionStage<OffsetFetchResponseData> fetch(OffsetFetchRequestData request) {
    OffsetFetchResponseData out = new OffsetFetchResponseData();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    if (request.topics() == null) {
      return CompletableFuture.completedFuture(out.setErrorCode(Errors.INVALID_REQUEST.code()));
    }
    for (OffsetFetchRequestData.OffsetFetchRequestTopic t : request.topics()) {
      OffsetFetchResponseData.OffsetFetchResponseTopic rt = new OffsetFetchResponseData.OffsetFetchResponseTopic()
          .setName(t.name());
      out.topics().add(rt);
      for (int partition : t.partitionIndexes()) {
        OffsetFetchResponseData.OffsetFetchResponsePartition rp = new OffsetFetchResponseData.OffsetFetchResponsePartition()
            .setPartitionIndex(partition).setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata("");
        rt.partitions().add(rp);
        if (chronik.partitionCount(topic) == 0) continue; // nothing was ever committed
        pending.add(chronik.get(topic, partitionOf(request.groupId()), key(request.groupId(), t.name(), partition),
            Optional.of(ReadPolicy.SAFE), 0).toCompletableFuture().<Void>handle((r, e) -> {
              if (e != null) {
                rp.setErrorCode(error(e).code());
              } else if (r.result().getFound()) {
                try {
                  KafkaCommittedOffset c = KafkaCommittedOffset.parseFrom(r.result().getValue());
                  rp.setCommittedOffset(c.getOffset()).setCommittedLeaderEpoch(c.getLeaderEpoch())
                      .setMetadata(c.getMetadata());
                } catch (InvalidProtocolBufferException bad) {
                  rp.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code());
                }
              }
              return null;
            }));
      }
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(v -> out);
  }

  /** A group's offsets are in one partition of the offsets topic, whatever topics they are for. */
  private int partitionOf(String group) {
    int partitions = chronik.partitionCount(topic);
    return Math.floorMod(group.hashCode(), partitions > 0 ? partitions : createPartitions);
  }

  private static String key(String group, String topic, int partition) {
    return group + '\u0000' + topic + '\u0000' + partition;
  }

  /** Runs {@code call}; when the offsets topic does not exist yet, creates it and runs it again. */
  private <T> CompletionStage<T> withTopic(Supplier<CompletionStage<T>> call) {
    return call.get().handle((r, e) -> {
      if (e == null) return CompletableFuture.completedFuture(r);
      if (!(unwrap(e) instanceof ChronikException c) || c.kind() != ChronikException.Kind.NOT_FOUND) {
        return CompletableFuture.<T>failedFuture(unwrap(e));
      }
      return chronik.createTopic(topic, createPartitions, 0, "key-value").handle((t, createError) -> null)
          .thenCompose(x -> call.get());
    }).thenCompose(s -> s);
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private static Errors error(Throwable e) {
    Errors kafka = KafkaErrors.of(e);
    // A consumer retries these two on commits; NOT_LEADER_OR_FOLLOWER would make it look for a partition leader.
    return kafka == Errors.NOT_LEADER_OR_FOLLOWER ? Errors.COORDINATOR_LOAD_IN_PROGRESS : kafka;
  }
}
