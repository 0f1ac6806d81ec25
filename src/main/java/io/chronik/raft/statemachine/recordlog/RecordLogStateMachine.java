package io.chronik.raft.statemachine.recordlog;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.records.PartitionDir;
import io.chronik.raft.records.RecordLogFiles;
import io.chronik.raft.statemachine.proto.RecordLogAppendResult;
import io.chronik.raft.statemachine.proto.RecordLogCommand;
import io.chronik.raft.statemachine.proto.RecordLogQuery;
import io.chronik.raft.statemachine.proto.RecordLogReadResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A Kafka-like partition: appended records get dense offsets from 0; reads return records from
 * an offset, bounded by count and bytes (at least one record when any is there, so a single
 * large record can always be read). The high watermark is the next offset to be written: only
 * applied (committed) records are ever visible.
 *
 * <p>Records live in segments ({@link RecordLogFiles}): files on a node, read through the page
 * cache with a small index in memory, so the heap does not grow with what a partition retains.
 * Without a directory (tests, in-process demos) the segments are in memory.
 *
 * <p>Retention, as Kafka users know it: a segment rolls at {@code segmentBytes}; the oldest
 * closed segments are deleted while the partition holds more than {@link Retention#bytes()}, or
 * once their newest batch is older than {@link Retention#age()} — measured by the append times
 * the commands carry, so every replica deletes the same segments at the same index. The segment
 * being written always stays. The log start offset moves forward; a read below it is refused as
 * out of range, naming it.
 */
public final class RecordLogStateMachine extends ProducerLog {
  /** How much a partition keeps: {@code bytes <= 0} or a zero {@code age} means no limit of that kind. */
  public record Retention(long bytes, Duration age) {
    public static final Retention UNLIMITED = new Retention(0, Duration.ZERO);
  }

  /** Kafka's default is 1 GiB; smaller segments let retention and snapshots follow a partition more closely. */
  public static final int DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

  /** How many idempotent producers a partition remembers, and how long one may stay silent before it is forgotten. */
  public record ProducerLimits(int max, Duration expiry) {
    public static final ProducerLimits DEFAULT = new ProducerLimits(10_000, Duration.ofDays(1));

    public ProducerLimits {
      if (max < 1) throw new IllegalArgumentException("max-producers must be >= 1, got " + max);
      if (expiry.isNegative() || expiry.isZero()) {
        throw new IllegalArgumentException("producer-expiry must be > 0, got " + expiry);
      }
    }
  }

  public RecordLogStateMachine() {
    this(Retention.UNLIMITED);
  }

  public RecordLogStateMachine(Retention retention) {
    this(retention, DEFAULT_SEGMENT_BYTES);
  }

  /** Segments in memory. */
  public RecordLogStateMachine(Retention retention, int segmentBytes) {
    this(retention, segmentBytes, ProducerLimits.DEFAULT, null);
  }

  /** Segments in memory. */
  public RecordLogStateMachine(Retention retention, int segmentBytes, ProducerLimits producerLimits) {
    this(retention, segmentBytes, producerLimits, null);
  }

  private RecordLogStateMachine(Retention retention, int segmentBytes, ProducerLimits producerLimits, PartitionDir dir) {
    super(retention, segmentBytes, producerLimits, dir, false);
  }

  /** Segment files under {@code root} (one partition's directory on this node). */
  public static RecordLogStateMachine onDisk(Path root, Retention retention, int segmentBytes) {
    return onDisk(root, retention, segmentBytes, ProducerLimits.DEFAULT);
  }

  public static RecordLogStateMachine onDisk(Path root, Retention retention, int segmentBytes,
      ProducerLimits producerLimits) {
    return new RecordLogStateMachine(retention, segmentBytes, producerLimits, new PartitionDir(root));
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
    long first = files.highWatermark();
    long producer = cmd.getProducerId();
    if (producer != 0) {
      ProducerTable.Decision decision = producers.decide(producer, cmd.getSequence());
      if (decision instanceof ProducerTable.Duplicate d) {
        return RecordLogAppendResult.newBuilder().setFirstOffset(d.original().firstOffset())
            .setCount(d.original().count()).setDuplicate(true).build().toByteString();
      }
      if (decision instanceof ProducerTable.OutOfSequence o) {
        return RecordLogAppendResult.newBuilder().setOutOfSequence(true).setError(o.reason()).build().toByteString();
      }
    }
    if (cmd.getRecordsCount() > 0) {
      try {
        files.append(cmd.getRecordsList(), cmd.getAppendTimeMs());
      } catch (IOException e) {
        // Not the command's fault, and every other replica applies it: this replica must stop
        // (and recover from its snapshot and log) rather than answer differently.
        throw new UncheckedIOException("cannot write records to " + files + ": " + e.getMessage(), e);
      }
    }
    if (producer != 0) producers.appended(producer, cmd.getSequence(), first, cmd.getRecordsCount(), cmd.getAppendTimeMs());
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
    long start = files.startOffset();
    long hw = files.highWatermark();
    if (q.getOffset() < start) {
      return RecordLogReadResult.newBuilder().setOutOfRange(true).setLogStartOffset(start).setHighWatermark(hw)
          .setError("offset " + q.getOffset() + " is before the log start offset " + start
              + " (retention deleted the records before it); fetch from " + start)
          .build().toByteString();
    }
    RecordLogReadResult.Builder out = RecordLogReadResult.newBuilder()
        .setFirstOffset(q.getOffset()).setHighWatermark(hw).setLogStartOffset(start);
    long[] bytes = {0};
    try {
      files.read(q.getOffset(), r -> {
        if (out.getRecordsCount() >= q.getMaxRecords()) return false;
        if (out.getRecordsCount() > 0 && bytes[0] + r.size() > q.getMaxBytes()) return false;
        bytes[0] += r.size();
        out.addRecords(r);
        return true;
      });
    } catch (IOException e) {
      return RecordLogReadResult.newBuilder().setReplicaFault(true).setError("this replica cannot read its records ("
          + e.getMessage() + "); read from another replica").build().toByteString();
    }
    return out.build().toByteString();
  }

  private static ByteString readError(String message) {
    return RecordLogReadResult.newBuilder().setError(message).build().toByteString();
  }

  // ---- codecs for callers ----

  public static ByteString append(List<ByteString> records) {
    return RecordLogCommand.newBuilder().addAllRecords(records).build().toByteString();
  }

  /** Records appended at {@code appendTimeMs} (what retention by age compares). */
  /** An idempotent producer's batch: appended once however often it is applied (see {@link ProducerTable}). */
  public static ByteString append(List<ByteString> records, long appendTimeMs, long producerId, long sequence) {
    return RecordLogCommand.newBuilder().addAllRecords(records).setAppendTimeMs(appendTimeMs)
        .setProducerId(producerId).setSequence(sequence).build().toByteString();
  }

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
