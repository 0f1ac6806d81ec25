package io.chronik.raft.statemachine.recordlog;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The idempotent producers of one record-log partition, as Kafka keeps them: per producer id, the
 * last applied sequence number and the offsets of its last {@value #BATCHES_KEPT} batches, so that
 * a resent batch is answered with its original offsets instead of being appended twice.
 *
 * <p>Part of the replicated state: it changes only by applied commands and is carried in the
 * partition's snapshots, so every replica, a restarted one included, decides alike. Bounded: at
 * most {@code limits.max()} producers (the least recently written is forgotten first) and none
 * idle for longer than {@code limits.expiry()} by the append times the commands carry (never a
 * clock read while applying). A forgotten producer's next batch is taken as its first.
 */
public final class ProducerTable {
  static final int BATCHES_KEPT = 5;

  public record Batch(long sequence, long firstOffset, int count) {}

  /** What to do with a producer's batch. */
  public sealed interface Decision {}

  public record Append() implements Decision {}

  public record Duplicate(Batch original) implements Decision {}

  /** {@code older}: the sequence is below the producer's last one (applied once, too long ago to say where). */
  public record OutOfSequence(String reason, boolean older) implements Decision {}

  private static final class Producer {
    long lastSequence;
    long lastAppendMs;
    final ArrayDeque<Batch> batches = new ArrayDeque<>(BATCHES_KEPT);
  }

  private final RecordLogStateMachine.ProducerLimits limits;
  /** Kafka's sequences count records (a batch's base sequence follows the last one plus its count), chronik's count batches. */
  private final boolean recordSequences;
  /** Least recently written first: a write moves its producer to the end. */
  private final LinkedHashMap<Long, Producer> producers = new LinkedHashMap<>();
  /** The latest append time applied so far: the partition's own clock for expiry. */
  private long clockMs;

  ProducerTable(RecordLogStateMachine.ProducerLimits limits) {
    this(limits, false);
  }

  /** {@code recordSequences}: Kafka's numbering, where each record takes a sequence number. */
  public ProducerTable(RecordLogStateMachine.ProducerLimits limits, boolean recordSequences) {
    this.limits = limits;
    this.recordSequences = recordSequences;
  }

  public int size() {
    return producers.size();
  }

  private long next(Producer p) {
    return recordSequences && !p.batches.isEmpty() ? p.lastSequence + p.batches.getLast().count() : p.lastSequence + 1;
  }

  public Decision decide(long producerId, long sequence) {
    Producer p = producers.get(producerId);
    if (p == null) return new Append(); // new, or forgotten: its first batch starts its sequence
    long next = next(p);
    if (sequence == next) return new Append();
    for (Batch b : p.batches) {
      if (b.sequence() == sequence) return new Duplicate(b);
    }
    if (sequence <= p.lastSequence) {
      return new OutOfSequence("sequence " + sequence + " of producer " + producerId + " is older than its last "
          + BATCHES_KEPT + " batches (last applied: " + p.lastSequence + "), so whether it was applied is no longer "
          + "known; nothing was appended", true);
    }
    return new OutOfSequence("producer " + producerId + " sent sequence " + sequence + " but its last applied one is "
        + p.lastSequence + ": the batches in between were not applied; send sequence " + next
        + " next (nothing was appended)", false);
  }

  /** Records an appended batch, then forgets producers over the limits. */
  public void appended(long producerId, long sequence, long firstOffset, int count, long appendTimeMs) {
    Producer p = producers.remove(producerId);
    if (p == null) p = new Producer();
    p.lastSequence = sequence;
    p.lastAppendMs = appendTimeMs;
    if (p.batches.size() == BATCHES_KEPT) p.batches.removeFirst();
    p.batches.addLast(new Batch(sequence, firstOffset, count));
    producers.put(producerId, p);
    clockMs = Math.max(clockMs, appendTimeMs);
    forgetBeyondLimits();
  }

  private void forgetBeyondLimits() {
    long expiredBefore = clockMs - limits.expiry().toMillis();
    Iterator<Map.Entry<Long, Producer>> eldest = producers.entrySet().iterator();
    while (eldest.hasNext()) {
      Producer p = eldest.next().getValue();
      if (producers.size() <= limits.max() && p.lastAppendMs >= expiredBefore) break;
      eldest.remove();
    }
  }

  // ---------------------------------------------------------------- snapshot form

  public ByteString encode() {
    ByteString.Output out = ByteString.newOutput();
    try {
      CodedOutputStream c = CodedOutputStream.newInstance(out);
      c.writeInt64NoTag(clockMs);
      c.writeUInt32NoTag(producers.size());
      for (Map.Entry<Long, Producer> e : producers.entrySet()) {
        Producer p = e.getValue();
        c.writeInt64NoTag(e.getKey());
        c.writeInt64NoTag(p.lastSequence);
        c.writeInt64NoTag(p.lastAppendMs);
        c.writeUInt32NoTag(p.batches.size());
        for (Batch b : p.batches) {
          c.writeInt64NoTag(b.sequence());
          c.writeUInt64NoTag(b.firstOffset());
          c.writeUInt32NoTag(b.count());
        }
      }
      c.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory
    }
    return out.toByteString();
  }

  /** Replaces this table's contents with {@code encoded} (empty: no producers). */
  public void restore(ByteString encoded) throws IOException {
    producers.clear();
    clockMs = 0;
    if (encoded.isEmpty()) return;
    CodedInputStream c = encoded.newCodedInput();
    clockMs = c.readInt64();
    int n = c.readUInt32();
    for (int i = 0; i < n; i++) {
      long id = c.readInt64();
      Producer p = new Producer();
      p.lastSequence = c.readInt64();
      p.lastAppendMs = c.readInt64();
      int batches = c.readUInt32();
      if (batches > BATCHES_KEPT) throw new IOException("producer " + id + " has " + batches + " batches in the snapshot");
      for (int b = 0; b < batches; b++) p.batches.addLast(new Batch(c.readInt64(), c.readUInt64(), c.readUInt32()));
      producers.put(id, p);
    }
  }
}
