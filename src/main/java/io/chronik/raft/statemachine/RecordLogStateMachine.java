package io.chronik.raft.statemachine;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.statemachine.proto.RecordLogAppendResult;
import io.chronik.raft.statemachine.proto.RecordLogCommand;
import io.chronik.raft.statemachine.proto.RecordLogQuery;
import io.chronik.raft.statemachine.proto.RecordLogReadResult;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kafka-like partition: appended records get dense offsets from 0; reads return records from
 * an offset, bounded by count and bytes (at least one record when any is there, so a single
 * large record can always be read). The high watermark is the next offset to be written: only
 * applied (committed) records are ever visible.
 */
public final class RecordLogStateMachine implements StateMachine {
  private final List<ByteString> records = new ArrayList<>();

  @Override
  public ByteString apply(long index, ByteString command) {
    RecordLogCommand cmd;
    try {
      cmd = RecordLogCommand.parseFrom(command);
    } catch (InvalidProtocolBufferException e) {
      return RecordLogAppendResult.newBuilder().setError("not a RecordLogCommand: " + e.getMessage())
          .build().toByteString();
    }
    long first = records.size();
    records.addAll(cmd.getRecordsList());
    return RecordLogAppendResult.newBuilder().setFirstOffset(first).setCount(cmd.getRecordsCount())
        .build().toByteString();
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
    RecordLogReadResult.Builder out = RecordLogReadResult.newBuilder()
        .setFirstOffset(q.getOffset()).setHighWatermark(records.size());
    long bytes = 0;
    for (long o = q.getOffset(); o < records.size() && out.getRecordsCount() < q.getMaxRecords(); o++) {
      ByteString r = records.get((int) o);
      bytes += r.size();
      if (out.getRecordsCount() > 0 && bytes > q.getMaxBytes()) break;
      out.addRecords(r);
    }
    return out.build().toByteString();
  }

  /** The records as an array of references (records are immutable): no record bytes copied on the actor. */
  @Override
  public StateSnapshot snapshot() {
    ByteString[] frozen = records.toArray(new ByteString[0]);
    return out -> {
      CodedOutputStream coded = SnapshotFormat.begin(out, "record-log");
      coded.writeUInt64NoTag(frozen.length);
      for (ByteString r : frozen) coded.writeBytesNoTag(r);
      coded.flush();
    };
  }

  @Override
  public void restore(InputStream in) throws IOException {
    CodedInputStream coded = SnapshotFormat.open(in, "record-log");
    long count = coded.readUInt64();
    records.clear();
    for (long i = 0; i < count; i++) {
      SnapshotFormat.keepReading(coded);
      records.add(coded.readBytes());
    }
  }

  private static ByteString readError(String message) {
    return RecordLogReadResult.newBuilder().setError(message).build().toByteString();
  }

  // ---- codecs for callers ----

  public static ByteString append(List<ByteString> records) {
    return RecordLogCommand.newBuilder().addAllRecords(records).build().toByteString();
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
