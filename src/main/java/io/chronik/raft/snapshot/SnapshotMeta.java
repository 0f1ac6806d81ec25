package io.chronik.raft.snapshot;

/** A snapshot covers the log up to and including {@code index}, whose entry has {@code term}. */
public record SnapshotMeta(long index, long term) {
  public SnapshotMeta {
    if (index < 0 || term < 0) throw new IllegalArgumentException("snapshot index and term must be >= 0");
  }

  @Override
  public String toString() {
    return "snapshot@" + index + "/term " + term;
  }
}
