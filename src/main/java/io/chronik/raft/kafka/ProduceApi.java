package io.chronik.raft.kafka;

import com.google.protobuf.ByteString;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.kafka.proto.KafkaAppendResult;
import io.chronik.raft.statemachine.kafka.KafkaBatch;
import io.chronik.raft.statemachine.kafka.KafkaLogStateMachine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Produce: each partition's batches become one Raft entry, proposed through the partition's leader
 * from whichever node the client sent them to. Answered once the entry is committed and applied,
 * whatever {@code acks} says: with {@code acks=1} as with {@code all}, an acknowledged batch is on
 * a majority. {@code acks=0} gets no answer, as in Kafka. An unknown outcome inside chronik is
 * resent inside and appended once ({@link ChronikRaft#kafkaProduce}).
 */
final class ProduceApi {
  private final ChronikRaft chronik;
  private final long maxEntryBytes;

  ProduceApi(ChronikRaft chronik, long maxEntryBytes) {
    this.chronik = chronik;
    this.maxEntryBytes = maxEntryBytes;
  }

  CompletionStage<Optional<ApiMessage>> handle(ProduceRequestData request) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, request.timeoutMs()));
    ProduceResponseData response = new ProduceResponseData();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
      ProduceResponseData.TopicProduceResponse topicResponse = new ProduceResponseData.TopicProduceResponse()
          .setName(topic.name());
      response.responses().add(topicResponse);
      for (ProduceRequestData.PartitionProduceData p : topic.partitionData()) {
        ProduceResponseData.PartitionProduceResponse out = new ProduceResponseData.PartitionProduceResponse()
            .setIndex(p.index()).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
        topicResponse.partitionResponses().add(out);
        pending.add(append(topic.name(), p, deadline).<Void>handle((r, e) -> {
          synchronized (out) {
            if (e != null) {
              out.setErrorCode(KafkaErrors.of(e).code()).setErrorMessage(KafkaErrors.message(e));
            } else if (r.getErrorCode() != 0) {
              out.setErrorCode((short) r.getErrorCode()).setErrorMessage(r.getError());
            } else {
              out.setBaseOffset(r.getBaseOffset()).setLogStartOffset(r.getLogStartOffset());
            }
          }
          return null;
        }).toCompletableFuture());
      }
    }
    if (request.acks() == 0) return CompletableFuture.completedFuture(Optional.empty());
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(v -> Optional.of(response));
  }

  private CompletionStage<KafkaAppendResult> append(String topic, ProduceRequestData.PartitionProduceData p,
      long deadline) {
    List<ByteString> batches = new ArrayList<>();
    boolean idempotent = true;
    if (!(p.records() instanceof MemoryRecords records)) return refused(Errors.INVALID_REQUEST, "no records");
    ByteBuffer all = records.buffer().duplicate();
    try {
      for (MutableRecordBatch batch : records.batches()) {
        ByteBuffer one = all.slice();
        one.limit(batch.sizeInBytes());
        all.position(all.position() + batch.sizeInBytes());
        KafkaBatch.Checked checked = KafkaBatch.check(one.duplicate());
        if (checked.invalid() != null) {
          return refused(batch.magic() != RecordBatch.MAGIC_VALUE_V2 ? Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT
              : Errors.CORRUPT_MESSAGE, checked.invalid());
        }
        idempotent &= batch.hasProducerId();
        batches.add(ByteString.copyFrom(one));
      }
    } catch (RuntimeException e) {
      return refused(Errors.CORRUPT_MESSAGE, "unreadable record batches: " + e.getMessage());
    }
    if (batches.isEmpty()) return refused(Errors.INVALID_REQUEST, "a produce to " + topic + "-" + p.index()
        + " without a record batch");
    long size = batches.stream().mapToLong(b -> b.size() + 8L).sum() + 64; // the command around them
    if (size > maxEntryBytes) {
      return refused(Errors.MESSAGE_TOO_LARGE, "the batches for " + topic + "-" + p.index() + " are about " + size
          + " bytes, over chronik.raft.max-entry-bytes (" + maxEntryBytes + "): send smaller batches (batch.size)");
    }
    return chronik.kafkaProduce(topic, p.index(), batches, idempotent, deadline)
        .thenApply(KafkaLogStateMachine::appendResult);
  }

  private static CompletionStage<KafkaAppendResult> refused(Errors error, String why) {
    return CompletableFuture.completedFuture(KafkaAppendResult.newBuilder().setErrorCode(error.code()).setError(why)
        .build());
  }
}
