package io.chronik.raft.statemachine.recordlog;

import io.chronik.raft.records.PartitionDir;
import io.chronik.raft.records.RecordLogFiles;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.StateSnapshot;
import io.chronik.raft.statemachine.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * What a record log and a Kafka partition share: segments ({@link RecordLogFiles}) with retention,
 * and the idempotent producers' table, which travels in the segments' snapshots.
 */
public abstract class ProducerLog implements StateMachine {
  protected final RecordLogFiles files;
  protected final ProducerTable producers;

  /** {@code dir} null: segments in memory. {@code recordSequences}: Kafka's numbering of sequences. */
  protected ProducerLog(RecordLogStateMachine.Retention retention, int segmentBytes,
      RecordLogStateMachine.ProducerLimits producerLimits, PartitionDir dir, boolean recordSequences) {
    this.files = new RecordLogFiles(retention.bytes(), retention.age(), segmentBytes, dir);
    this.producers = new ProducerTable(producerLimits, recordSequences);
  }

  /**
   * On disk: a checkpoint — the segment files are forced and the snapshot names them with their
   * sizes, so it is a few hundred bytes whatever the partition holds. In memory: the segments' bytes.
   * Either way with the idempotent producers' table as it is at this index.
   */
  @Override
  public StateSnapshot snapshot() {
    return files.snapshot(ownState());
  }

  @Override
  public void restore(InputStream in) throws IOException {
    restoreOwnState(files.restore(in));
  }

  /** What a snapshot carries beside the segments: the producers' table. */
  protected com.google.protobuf.ByteString ownState() {
    return producers.encode();
  }

  /** Restores what {@link #ownState} encoded (empty: nothing). */
  protected void restoreOwnState(com.google.protobuf.ByteString state) throws IOException {
    producers.restore(state);
  }

  /** A checkpoint stays on this node; a follower gets the segments themselves. */
  @Override
  public SnapshotData transferable(SnapshotData stored) throws IOException {
    return files.transferable(stored);
  }

  @Override
  public void close() {
    files.close();
  }

  @Override
  public Map<String, Long> describe() {
    return Map.of("log_start_offset", files.startOffset(), "high_watermark", files.highWatermark(),
        "segments", (long) files.segmentCount(), "log_bytes", files.bytes(), "producers", (long) producers.size());
  }
}
