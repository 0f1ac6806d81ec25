package io.chronik.raft.snapshot;

import io.chronik.raft.core.Configuration;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot covers the log up to and including {@code index}, whose entry has {@code term}.
 * {@code config} is the group's configuration in force at {@code index} (thesis §4.1: the latest
 * configuration entry at or before it), and {@code configIndex} the index of that entry; both are
 * kept with the state because the entries they came from are compacted away. No configuration
 * ({@code configIndex} 0) is a group of before configurations were in the log.
 */
public record SnapshotMeta(long index, long term, Optional<Configuration> config, long configIndex) {
  public SnapshotMeta {
    if (index < 0 || term < 0) throw new IllegalArgumentException("snapshot index and term must be >= 0");
    Objects.requireNonNull(config, "config");
    if (config.isPresent() && (configIndex < 1 || configIndex > index)) {
      throw new IllegalArgumentException("a snapshot at " + index + " cannot carry the configuration of entry "
          + configIndex + ": it must be an entry in 1.." + index);
    }
    if (config.isEmpty() && configIndex != 0) {
      throw new IllegalArgumentException("a snapshot without a configuration names configuration entry " + configIndex);
    }
  }

  /** A snapshot that carries no configuration. */
  public SnapshotMeta(long index, long term) {
    this(index, term, Optional.empty(), 0);
  }

  /** Whether {@code other} covers the same log: the same index and term, whatever configuration either names. */
  public boolean sameIndexAndTerm(SnapshotMeta other) {
    return index == other.index && term == other.term;
  }

  @Override
  public String toString() {
    String at = "snapshot@" + index + "/term " + term;
    return config.map(c -> at + " (config@" + configIndex + " " + c + ")").orElse(at);
  }
}
