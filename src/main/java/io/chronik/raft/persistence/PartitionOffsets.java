package io.chronik.raft.persistence;

import akka.persistence.query.Offset;
import java.util.Arrays;

/**
 * Where an {@code eventsByTag} stream stands: for each partition of the journal topic, the position
 * to read from next. A tag's events live in many partitions (each entity's in its own), which no
 * single number orders, so the offset is one position per partition. Store it as
 * {@link #toString()} ("4:17,0,9,3" — the partition count, then each position) and resume with
 * {@link #parse}.
 */
public final class PartitionOffsets extends Offset implements java.io.Serializable {
  private final long[] next;

  public PartitionOffsets(long[] next) {
    this.next = next.clone();
  }

  /** The start of every partition of a topic with {@code partitions} partitions. */
  public static PartitionOffsets start(int partitions) {
    return new PartitionOffsets(new long[partitions]);
  }

  public int partitions() {
    return next.length;
  }

  public long next(int partition) {
    return next[partition];
  }

  PartitionOffsets with(int partition, long nextPosition) {
    long[] copy = next.clone();
    copy[partition] = nextPosition;
    return new PartitionOffsets(copy);
  }

  public static PartitionOffsets parse(String s) {
    String[] parts = s.split(":", 2);
    try {
      int n = Integer.parseInt(parts[0]);
      String[] positions = parts.length < 2 || parts[1].isEmpty() ? new String[0] : parts[1].split(",");
      if (positions.length != n) throw new IllegalArgumentException("it names " + positions.length + " positions for " + n);
      return new PartitionOffsets(Arrays.stream(positions).mapToLong(Long::parseLong).toArray());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a chronik tag offset: '" + s + "' (expected <partitions>:<position>,... as "
          + "PartitionOffsets.toString() writes it): " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder().append(next.length).append(':');
    for (int i = 0; i < next.length; i++) out.append(i == 0 ? "" : ",").append(next[i]);
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PartitionOffsets p && Arrays.equals(next, p.next);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(next);
  }
}
