package io.chronik.raft.statemachine.kafka;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.kafka.proto.KafkaAppend;
import io.chronik.raft.kafka.proto.KafkaAppendResult;
import io.chronik.raft.kafka.proto.KafkaFetch;
import io.chronik.raft.kafka.proto.KafkaOffsetLookup;
import io.chronik.raft.kafka.proto.KafkaQuery;
import io.chronik.raft.kafka.proto.KafkaReadResult;
import io.chronik.raft.records.PartitionDir;
import io.chronik.raft.records.RecordLogFiles;
import io.chronik.raft.statemachine.recordlog.ProducerLog;
import io.chronik.raft.statemachine.recordlog.ProducerTable;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;

/**
 * A Kafka partition: Kafka record batches appended whole at the high watermark, with their base
 * offsets set in place, and served byte for byte (compression and headers pass through).
 *
 * <p>Stored in a record log's segments ({@link RecordLogFiles}, with its retention and snapshots):
 * a batch of {@code n} records is one segment batch of {@code n} entries, the Kafka batch and
 * {@code n - 1} empty ones (4 bytes each), so segment offsets are Kafka offsets.
 *
 * <p>Idempotent producers, as Kafka defines them: per producer id and epoch, a batch whose base
 * sequence follows the last batch's sequence plus its record count is appended; a resend of one of
 * the last 5 is answered with its original offset; any other is refused with Kafka's error. Every
 * decision depends only on the applied commands, so every replica decides alike. Batches without a
 * producer id carry the identity of the node that took them instead ({@code node_producer_id}),
 * so that node can resend them after an unknown outcome and they are appended once.
 */
public final class KafkaLogStateMachine extends ProducerLog {
  /** Producer ids this partition accepts: below 2^47, so that id and epoch make one table key. */
  public static final long MAX_PRODUCER_ID = (1L << 47) - 1;

  /** The identities of the nodes that took batches without a producer id (one sequence per command). */
  private final ProducerTable nodeProducers;

  /** Segments in memory. */
  public KafkaLogStateMachine() {
    this(RecordLogStateMachine.Retention.UNLIMITED, RecordLogStateMachine.DEFAULT_SEGMENT_BYTES,
        RecordLogStateMachine.ProducerLimits.DEFAULT, null);
  }

  private KafkaLogStateMachine(RecordLogStateMachine.Retention retention, int segmentBytes,
      RecordLogStateMachine.ProducerLimits limits, PartitionDir dir) {
    super(retention, segmentBytes, limits, dir, true);
    this.nodeProducers = new ProducerTable(limits, false);
  }

  /** Snapshots carry both producer tables. */
  @Override
  protected ByteString ownState() {
    ByteString.Output out = ByteString.newOutput();
    try {
      com.google.protobuf.CodedOutputStream c = com.google.protobuf.CodedOutputStream.newInstance(out);
      c.writeBytesNoTag(producers.encode());
      c.writeBytesNoTag(nodeProducers.encode());
      c.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory
    }
    return out.toByteString();
  }

  @Override
  protected void restoreOwnState(ByteString state) throws IOException {
    if (state.isEmpty()) {
      producers.restore(ByteString.EMPTY);
      nodeProducers.restore(ByteString.EMPTY);
      return;
    }
    com.google.protobuf.CodedInputStream c = state.newCodedInput();
    producers.restore(c.readBytes());
    nodeProducers.restore(c.readBytes());
  }

  public static KafkaLogStateMachine inMemory(RecordLogStateMachine.Retention retention, int segmentBytes,
      RecordLogStateMachine.ProducerLimits limits) {
    return new KafkaLogStateMachine(retention, segmentBytes, limits, null);
  }

  /** Segment files under {@code root} (one partition's directory on this node). */
  public static KafkaLogStateMachine onDisk(Path root, RecordLogStateMachine.Retention retention, int segmentBytes,
      RecordLogStateMachine.ProducerLimits limits) {
    return new KafkaLogStateMachine(retention, segmentBytes, limits, new PartitionDir(root));
  }

  // ---------------------------------------------------------------- writes

  @Override
  public ByteString apply(long index, ByteString command) {
    KafkaAppend cmd;
    try {
      cmd = KafkaAppend.parseFrom(command);
    } catch (InvalidProtocolBufferException e) {
      return appendError(Errors.INVALID_REQUEST, "not a KafkaAppend: " + e.getMessage());
    }
    List<ByteBuffer> batches = new ArrayList<>();
    for (ByteString bytes : cmd.getBatchesList()) {
      ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
      KafkaBatch.Checked checked = KafkaBatch.check(b);
      if (checked.invalid() != null) return appendError(Errors.CORRUPT_MESSAGE, checked.invalid());
      if (checked.batch().hasProducerId() && cmd.getNodeProducerId() != 0) {
        return appendError(Errors.INVALID_REQUEST, "a batch with a producer id carries its own identity; the node's "
            + "is only for batches without one");
      }
      if (checked.batch().hasProducerId() && cmd.getBatchesCount() > 1) {
        return appendError(Errors.INVALID_REQUEST, "an idempotent producer's batch must come alone in its partition's "
            + "produce; got " + cmd.getBatchesCount() + " batches");
      }
      batches.add(b);
    }
    if (batches.isEmpty()) return appendError(Errors.INVALID_REQUEST, "a produce with no record batch");
    long nodeProducer = cmd.getNodeProducerId();
    if (nodeProducer != 0) {
      ProducerTable.Decision decision = nodeProducers.decide(nodeProducer, cmd.getNodeSequence());
      if (decision instanceof ProducerTable.Duplicate d) {
        return KafkaAppendResult.newBuilder().setBaseOffset(d.original().firstOffset())
            .setLogStartOffset(files.startOffset()).build().toByteString();
      }
      if (decision instanceof ProducerTable.OutOfSequence o) {
        return appendError(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "node identity: " + o.reason());
      }
    }
    long first = files.highWatermark();
    for (ByteBuffer b : batches) {
      MutableRecordBatch batch = MemoryRecords.readableRecords(b).batches().iterator().next();
      long key = 0;
      if (batch.hasProducerId()) {
        if (batch.producerId() > MAX_PRODUCER_ID || batch.producerEpoch() < 0) {
          return appendError(Errors.UNKNOWN_PRODUCER_ID, "producer id " + batch.producerId() + " epoch "
              + batch.producerEpoch() + " was not given by this cluster: ask for one with InitProducerId");
        }
        key = (batch.producerId() << 16) | (batch.producerEpoch() & 0xFFFF);
        ProducerTable.Decision decision = producers.decide(key, batch.baseSequence());
        if (decision instanceof ProducerTable.Duplicate d) {
          return KafkaAppendResult.newBuilder().setBaseOffset(d.original().firstOffset())
              .setLogStartOffset(files.startOffset()).build().toByteString();
        }
        if (decision instanceof ProducerTable.OutOfSequence o) {
          return appendError(o.older() ? Errors.DUPLICATE_SEQUENCE_NUMBER : Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
              o.reason());
        }
      }
      int count = batch.countOrNull();
      long base = files.highWatermark();
      batch.setLastOffset(base + count - 1); // in place: the base offset field, outside the CRC
      List<ByteString> entries = new ArrayList<>(count);
      entries.add(ByteString.copyFrom(b.array()));
      entries.addAll(Collections.nCopies(count - 1, ByteString.EMPTY));
      try {
        files.append(entries, cmd.getAppendTimeMs());
      } catch (IOException e) {
        // Not the command's fault, and every other replica applies it: this replica must stop.
        throw new UncheckedIOException("cannot write records to " + files + ": " + e.getMessage(), e);
      }
      if (batch.hasProducerId()) producers.appended(key, batch.baseSequence(), base, count, cmd.getAppendTimeMs());
    }
    if (nodeProducer != 0) {
      nodeProducers.appended(nodeProducer, cmd.getNodeSequence(), first, (int) (files.highWatermark() - first),
          cmd.getAppendTimeMs());
    }
    return KafkaAppendResult.newBuilder().setBaseOffset(first).setLogStartOffset(files.startOffset()).build()
        .toByteString();
  }

  private static ByteString appendError(Errors error, String message) {
    return KafkaAppendResult.newBuilder().setErrorCode(error.code()).setError(message).setBaseOffset(-1).build()
        .toByteString();
  }

  // ---------------------------------------------------------------- reads

  @Override
  public ByteString query(ByteString query) {
    KafkaQuery q;
    try {
      q = KafkaQuery.parseFrom(query);
    } catch (InvalidProtocolBufferException e) {
      return readError(Errors.INVALID_REQUEST, "not a KafkaQuery: " + e.getMessage());
    }
    try {
      return switch (q.getQueryCase()) {
        case FETCH -> fetch(q.getFetch());
        case OFFSET_LOOKUP -> lookup(q.getOffsetLookup());
        default -> readError(Errors.INVALID_REQUEST, "an empty KafkaQuery");
      };
    } catch (IOException e) {
      return readError(Errors.KAFKA_STORAGE_ERROR, "this replica cannot read its records (" + e.getMessage()
          + "); read from another replica");
    }
  }

  private ByteString fetch(KafkaFetch f) throws IOException {
    long start = files.startOffset();
    long hw = files.highWatermark();
    KafkaReadResult.Builder out = KafkaReadResult.newBuilder().setHighWatermark(hw).setLogStartOffset(start);
    if (f.getOffset() < start || f.getOffset() > hw) {
      return out.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code()).setError("offset " + f.getOffset()
          + " is outside the partition's offsets " + start + ".." + hw).build().toByteString();
    }
    ByteString.Output records = ByteString.newOutput();
    files.readBatches(f.getOffset(), (base, count, batch) -> {
      if (records.size() > 0 && records.size() + batch.size() > f.getMaxBytes()) return false;
      try {
        batch.writeTo(records);
      } catch (IOException e) {
        throw new UncheckedIOException(e); // writing to memory
      }
      return records.size() < f.getMaxBytes();
    });
    return out.setRecords(records.toByteString()).build().toByteString();
  }

  private ByteString lookup(KafkaOffsetLookup l) throws IOException {
    long start = files.startOffset();
    long hw = files.highWatermark();
    KafkaReadResult.Builder out = KafkaReadResult.newBuilder().setHighWatermark(hw).setLogStartOffset(start)
        .setTimestamp(-1).setOffset(-1);
    if (l.getTimestamp() == -1) return out.setOffset(hw).build().toByteString();
    if (l.getTimestamp() == -2) return out.setOffset(start).build().toByteString();
    if (l.getTimestamp() < 0) {
      return out.setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setError("timestamp " + l.getTimestamp()
          + " is not supported: -1 (latest), -2 (earliest) or a time in ms").build().toByteString();
    }
    files.readBatches(start, (base, count, bytes) -> {
      RecordBatch batch = MemoryRecords.readableRecords(bytes.asReadOnlyByteBuffer()).batches().iterator().next();
      if (batch.maxTimestamp() < l.getTimestamp()) return true;
      out.setOffset(base).setTimestamp(batch.maxTimestamp());
      try {
        for (Record r : batch) {
          if (r.timestamp() >= l.getTimestamp()) {
            out.setOffset(r.offset()).setTimestamp(r.timestamp());
            break;
          }
        }
      } catch (KafkaException e) {
        // Compressed with a codec this node does not carry: the batch's base offset, at or before the answer.
      }
      return false;
    });
    return out.build().toByteString();
  }

  private static ByteString readError(Errors error, String message) {
    return KafkaReadResult.newBuilder().setErrorCode(error.code()).setError(message).build().toByteString();
  }

  // ---------------------------------------------------------------- codecs for callers

  public static ByteString append(List<ByteString> batches, long appendTimeMs) {
    return KafkaAppend.newBuilder().addAllBatches(batches).setAppendTimeMs(appendTimeMs).build().toByteString();
  }

  /** Batches without producer ids, under the taking node's identity {@code nodeProducerId} (non-zero) and its sequence. */
  public static ByteString append(List<ByteString> batches, long appendTimeMs, long nodeProducerId, long nodeSequence) {
    return KafkaAppend.newBuilder().addAllBatches(batches).setAppendTimeMs(appendTimeMs)
        .setNodeProducerId(nodeProducerId).setNodeSequence(nodeSequence).build().toByteString();
  }

  public static ByteString fetch(long offset, int maxBytes) {
    return KafkaQuery.newBuilder().setFetch(KafkaFetch.newBuilder().setOffset(offset).setMaxBytes(maxBytes)).build()
        .toByteString();
  }

  public static ByteString offsetAt(long timestamp) {
    return KafkaQuery.newBuilder().setOffsetLookup(KafkaOffsetLookup.newBuilder().setTimestamp(timestamp)).build()
        .toByteString();
  }

  public static KafkaAppendResult appendResult(ByteString bytes) {
    try {
      return KafkaAppendResult.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a KafkaAppendResult", e);
    }
  }

  public static KafkaReadResult readResult(ByteString bytes) {
    try {
      return KafkaReadResult.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a KafkaReadResult", e);
    }
  }
}
