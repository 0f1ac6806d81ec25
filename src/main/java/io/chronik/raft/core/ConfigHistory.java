package io.chronik.raft.core;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The configurations of one {@link RaftLog}: the configuration entries it holds, by index, and the
 * configuration in force at its compaction point (what the snapshot there carries).
 *
 * <p>Thesis §4.1: a server uses the latest configuration in its log, committed or not. So the
 * configuration in force is a function of the log alone: appending a configuration entry puts it
 * in force, truncating an uncommitted one puts the one before it back, and recovery needs no
 * commit index. No configuration at all is a group of before configurations were in the log.
 */
final class ConfigHistory {
  /** The configuration entries after the compaction point, by index. */
  private final TreeMap<Long, Configuration> logged = new TreeMap<>();
  /** The configuration in force at the compaction point, and the index of its entry (0: none). */
  private Optional<Configuration> base = Optional.empty();
  private long baseIndex;

  /** The latest configuration; empty when there is none. */
  Optional<Configuration> latest() {
    return logged.isEmpty() ? base : Optional.of(logged.lastEntry().getValue());
  }

  /** The index of the latest configuration's entry; 0 when there is none. */
  long latestIndex() {
    return logged.isEmpty() ? baseIndex : logged.lastKey();
  }

  /** The latest configuration at or before {@code index}; known from the base configuration's index on. */
  Optional<Configuration> at(long index) {
    Map.Entry<Long, Configuration> atOrBefore = logged.floorEntry(index);
    if (atOrBefore != null) return Optional.of(atOrBefore.getValue());
    if (base.isPresent() && index < baseIndex) {
      throw new IllegalArgumentException("the configuration in force at " + index + " is compacted away; the oldest"
          + " known is the one of entry " + baseIndex);
    }
    return base;
  }

  /** The index of the entry of {@link #at}{@code (index)}; 0 when there is none. */
  long indexAt(long index) {
    Map.Entry<Long, Configuration> atOrBefore = logged.floorEntry(index);
    if (atOrBefore != null) return atOrBefore.getKey();
    return base.isPresent() ? baseIndex : 0;
  }

  void appended(long index, Configuration config) {
    logged.put(index, config);
  }

  /** The entries from {@code index} on are gone: an uncommitted configuration among them is no longer in force. */
  void truncatedFrom(long index) {
    logged.tailMap(index, true).clear();
  }

  /** The entries through {@code index} are gone: the latest configuration among them becomes the base. */
  void compactedTo(long index) {
    Map.Entry<Long, Configuration> latestCompacted = logged.floorEntry(index);
    if (latestCompacted == null) return;
    base = Optional.of(latestCompacted.getValue());
    baseIndex = latestCompacted.getKey();
    logged.headMap(index, true).clear();
  }

  /** Every entry is gone; a snapshot carrying {@code config} (of entry {@code configIndex}), or none, is the base. */
  void reset(Optional<Configuration> config, long configIndex) {
    logged.clear();
    base = config;
    baseIndex = config.isPresent() ? configIndex : 0;
  }
}
