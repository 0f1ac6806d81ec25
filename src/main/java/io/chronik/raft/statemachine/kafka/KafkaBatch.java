package io.chronik.raft.statemachine.kafka;

import java.nio.ByteBuffer;
import java.util.Iterator;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;

/**
 * One Kafka record batch as a partition sees it, read with kafka-clients' own batch class: the
 * checks a produced batch must pass, and its base offset, set in place (the CRC does not cover it).
 * The records themselves (possibly compressed) are never decoded here: a batch is stored and
 * served as its producer wrote it.
 */
public final class KafkaBatch {
  private KafkaBatch() {}

  /** The batch that {@code b} holds whole, or an explanation of why it cannot be appended. */
  public record Checked(MutableRecordBatch batch, String invalid) {}

  public static Checked check(ByteBuffer b) {
    MutableRecordBatch batch;
    try {
      Iterator<MutableRecordBatch> batches = MemoryRecords.readableRecords(b).batches().iterator();
      if (!batches.hasNext()) return refused("the bytes sent hold no whole record batch");
      batch = batches.next();
      if (batches.hasNext()) return refused("expected one record batch, got more");
    } catch (KafkaException e) {
      return refused("not a record batch: " + e.getMessage());
    }
    if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
      return refused("record batch magic " + batch.magic() + ": only magic 2 (Kafka 0.11 and later) is supported");
    }
    if (batch.sizeInBytes() != b.remaining()) {
      return refused("a record batch of " + batch.sizeInBytes() + " bytes came with " + b.remaining() + " bytes");
    }
    if (!batch.isValid()) return refused("record batch CRC mismatch: the batch is corrupt");
    if (batch.isTransactional() || batch.isControlBatch()) {
      return refused("transactional and control batches are not supported (chronik's Kafka listener has no transactions)");
    }
    Integer count = batch.countOrNull();
    long span = batch.lastOffset() - batch.baseOffset() + 1;
    if (count == null || count < 1 || count != span) {
      return refused("a produced batch must hold records at relative offsets 0..count-1; it says " + count
          + " records spanning " + span + " offsets");
    }
    return new Checked(batch, null);
  }

  private static Checked refused(String why) {
    return new Checked(null, why);
  }
}
