package io.chronik.raft.kafka;

import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.kafka.proto.KafkaReadResult;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.statemachine.kafka.KafkaLogStateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * ListOffsets: latest (-1, the high watermark), earliest (-2, the log start offset) or the first
 * offset at or after a timestamp, read like a fetch (the node's follower-read policy): with
 * {@code safe}, "latest" is at least every acknowledged batch's end, on whichever node answers.
 */
final class ListOffsetsApi {
  private final ChronikRaft chronik;
  private final ReadPolicy policy;

  ListOffsetsApi(ChronikRaft chronik, ReadPolicy policy) {
    this.chronik = chronik;
    this.policy = policy;
  }

  CompletionStage<ApiMessage> handle(ListOffsetsRequestData request) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    ListOffsetsResponseData response = new ListOffsetsResponseData();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (ListOffsetsRequestData.ListOffsetsTopic topic : request.topics()) {
      ListOffsetsResponseData.ListOffsetsTopicResponse t = new ListOffsetsResponseData.ListOffsetsTopicResponse()
          .setName(topic.name());
      response.topics().add(t);
      for (ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
        ListOffsetsResponseData.ListOffsetsPartitionResponse out =
            new ListOffsetsResponseData.ListOffsetsPartitionResponse().setPartitionIndex(p.partitionIndex())
                .setOffset(-1).setTimestamp(-1).setLeaderEpoch(-1);
        t.partitions().add(out);
        pending.add(chronik.kafkaQuery(topic.name(), p.partitionIndex(), KafkaLogStateMachine.offsetAt(p.timestamp()),
            Optional.of(policy), 0, deadline).toCompletableFuture().<Void>handle((rr, e) -> {
              if (e != null) {
                out.setErrorCode(KafkaErrors.of(e).code());
              } else {
                KafkaReadResult r = KafkaLogStateMachine.readResult(rr.result());
                out.setErrorCode((short) r.getErrorCode()).setOffset(r.getOffset()).setTimestamp(r.getTimestamp());
              }
              return null;
            }));
      }
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(v -> response);
  }
}
