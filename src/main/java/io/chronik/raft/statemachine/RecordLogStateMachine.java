package io.chronik.raft.statemachine;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.statemachine.proto.RecordLogAppendResult;
import io.chronik.raft.statemachine.proto.RecordLogCommand;
import io.chronik.raft.statemachine.proto.RecordLogQuery;
import io.chronik.raft.statemachine.proto.RecordLogReadResult;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kafka-like partition: appended records get dense offsets from 0; reads return records from
 * an offset, bounded by count and bytes (at least one record when any is there, so a single
 * large record can always be read). The high watermark is the next offset to be written: only
 * applied (committed) records are ever visible.
 *
 * <p>Retention, as Kafka users know it: the oldest appended batches are deleted while the
 * partition holds more than {@link Retention#bytes()} of records, or when they are older than
 * {@link Retention#age()} — measured by the append times the commands carry, so every replica
 * deletes the same records at the same index. The newest batch is always kept. The log start
 * offset moves forward; a read below it is refused as out of range, naming it.
 */
public final class RecordLogStateMachine implements StateMachine {
  /** How much a partition keeps: {@code bytes <= 0} or a zero {@code age} means no limit of that kind. */
  public record Retention(long bytes, Duration age) {
    public static final Retention UNLIMITED = new Retention(0, Duration.ZERO);
  }

  /** A batch of appended records, for retention: its end offset (exclusive), bytes and append time. */
  private record Batch(long endOffset, long bytes, long appendTimeMs) {}

  private final Retention retention;
  /** Records from {@link #startOffset}; the first {@link #head} entries are deleted slots not reclaimed yet. */
  private final List<ByteString> records = new ArrayList<>();
  private int head;
  private long startOffset;
  private final ArrayDeque<Batch> batches = new ArrayDeque<>();
  private long retainedBytes;

  public RecordLogStateMachine() {
    this(Retention.UNLIMITED);
  }

  public RecordLogStateMachine(Retention retention) {
    this.retention = retention;
  }

  private long highWatermark() {
    return startOffset + records.size() - head;
  }

  @Override
  public ByteString apply(long index, ByteString command) {
    RecordLogCommand cmd;
    try {
      cmd = RecordLogCommand.parseFrom(command);
    } catch (InvalidProtocolBufferException e) {
      return RecordLogAppendResult.newBuilder().setError("not a RecordLogCommand: " + e.getMessage())
          .build().toByteString();
    }
    long first = highWatermark();
    long bytes = 0;
    for (ByteString r : cmd.getRecordsList()) bytes += r.size();
    records.addAll(cmd.getRecordsList());
    if (cmd.getRecordsCount() > 0) {
      batches.addLast(new Batch(highWatermark(), bytes, cmd.getAppendTimeMs()));
      retainedBytes += bytes;
      enforceRetention(cmd.getAppendTimeMs());
    }
    return RecordLogAppendResult.newBuilder().setFirstOffset(first).setCount(cmd.getRecordsCount())
        .build().toByteString();
  }

  /** Deletes the oldest batches beyond the retention limits, keeping the newest. */
  private void enforceRetention(long now) {
    long maxAge = retention.age().toMillis();
    while (batches.size() > 1) {
      Batch oldest = batches.peekFirst();
      boolean tooBig = retention.bytes() > 0 && retainedBytes > retention.bytes();
      boolean tooOld = maxAge > 0 && now > 0 && oldest.appendTimeMs() > 0 && oldest.appendTimeMs() < now - maxAge;
      if (!tooBig && !tooOld) break;
      batches.pollFirst();
      retainedBytes -= oldest.bytes();
      int drop = (int) (oldest.endOffset() - startOffset);
      for (int i = head; i < head + drop; i++) records.set(i, null); // let the bytes go now
      head += drop;
      startOffset = oldest.endOffset();
    }
    if (head > 4096 && head > records.size() / 2) {
      records.subList(0, head).clear();
      head = 0;
    }
  }

  @Override
  public ByteString query(ByteString query) {
    RecordLogQuery q;
    try {
      q = RecordLogQuery.parseFrom(query);
    } catch (InvalidProtocolBufferException e) {
      return readError("not a RecordLogQuery: " + e.getMessage());
    }
    if (q.getOffset() < 0) return readError("offset must be >= 0, got " + q.getOffset());
    if (q.getMaxRecords() <= 0) return readError("max_records must be > 0, got " + q.getMaxRecords());
    if (q.getMaxBytes() <= 0) return readError("max_bytes must be > 0, got " + q.getMaxBytes());
    if (q.getOffset() < startOffset) {
      return RecordLogReadResult.newBuilder().setOutOfRange(true).setLogStartOffset(startOffset)
          .setHighWatermark(highWatermark())
          .setError("offset " + q.getOffset() + " is before the log start offset " + startOffset
              + " (retention deleted the records before it); fetch from " + startOffset)
          .build().toByteString();
    }
    long hw = highWatermark();
    RecordLogReadResult.Builder out = RecordLogReadResult.newBuilder()
        .setFirstOffset(q.getOffset()).setHighWatermark(hw).setLogStartOffset(startOffset);
    long bytes = 0;
    for (long o = q.getOffset(); o < hw && out.getRecordsCount() < q.getMaxRecords(); o++) {
      ByteString r = records.get((int) (o - startOffset) + head);
      bytes += r.size();
      if (out.getRecordsCount() > 0 && bytes > q.getMaxBytes()) break;
      out.addRecords(r);
    }
    return out.build().toByteString();
  }

  /** The retained records and batches as arrays of references (all immutable): no record bytes copied on the actor. */
  @Override
  public StateSnapshot snapshot() {
    ByteString[] frozen = records.subList(head, records.size()).toArray(new ByteString[0]);
    Batch[] frozenBatches = batches.toArray(new Batch[0]);
    long start = startOffset;
    return out -> {
      CodedOutputStream coded = SnapshotFormat.begin(out, "record-log");
      coded.writeUInt64NoTag(start);
      coded.writeUInt64NoTag(frozen.length);
      for (ByteString r : frozen) coded.writeBytesNoTag(r);
      coded.writeUInt64NoTag(frozenBatches.length);
      for (Batch b : frozenBatches) {
        coded.writeUInt64NoTag(b.endOffset());
        coded.writeUInt64NoTag(b.bytes());
        coded.writeInt64NoTag(b.appendTimeMs());
      }
      coded.flush();
    };
  }

  @Override
  public void restore(InputStream in) throws IOException {
    CodedInputStream coded = SnapshotFormat.open(in, "record-log");
    records.clear();
    batches.clear();
    head = 0;
    retainedBytes = 0;
    startOffset = coded.readUInt64();
    long count = coded.readUInt64();
    for (long i = 0; i < count; i++) {
      SnapshotFormat.keepReading(coded);
      records.add(coded.readBytes());
    }
    long batchCount = coded.readUInt64();
    for (long i = 0; i < batchCount; i++) {
      Batch b = new Batch(coded.readUInt64(), coded.readUInt64(), coded.readInt64());
      batches.addLast(b);
      retainedBytes += b.bytes();
    }
  }

  @Override
  public java.util.Map<String, Long> describe() {
    return java.util.Map.of("log_start_offset", startOffset, "high_watermark", highWatermark());
  }

  private static ByteString readError(String message) {
    return RecordLogReadResult.newBuilder().setError(message).build().toByteString();
  }

  // ---- codecs for callers ----

  public static ByteString append(List<ByteString> records) {
    return RecordLogCommand.newBuilder().addAllRecords(records).build().toByteString();
  }

  /** Records appended at {@code appendTimeMs} (what retention by age compares). */
  public static ByteString append(List<ByteString> records, long appendTimeMs) {
    return RecordLogCommand.newBuilder().addAllRecords(records).setAppendTimeMs(appendTimeMs).build().toByteString();
  }

  public static ByteString read(long offset, int maxRecords, long maxBytes) {
    return RecordLogQuery.newBuilder().setOffset(offset).setMaxRecords(maxRecords).setMaxBytes(maxBytes)
        .build().toByteString();
  }

  public static RecordLogAppendResult appendResult(ByteString bytes) {
    try {
      return RecordLogAppendResult.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a RecordLogAppendResult", e);
    }
  }

  public static RecordLogReadResult readResult(ByteString bytes) {
    try {
      return RecordLogReadResult.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a RecordLogReadResult", e);
    }
  }
}
