package io.chronik.raft.core;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.rpc.EntryKind;
import io.chronik.raft.rpc.GroupConfig;
import io.chronik.raft.rpc.LogEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * In-memory view of one replica's Raft log after its compaction point: every entry that is
 * durable or on its way to the storage actor. Index 0 is the empty prefix with term 0.
 *
 * <p>Compaction (Raft §7) drops a prefix: the entries up to {@link #compactedIndex()} are
 * covered by a snapshot and gone from memory; only the term of the last of them is kept, for
 * the §5.3 consistency check of the entry after it.
 *
 * <p>Invariant: entries are dense ({@code entries.get(i).getIndex() == compactedIndex + i + 1})
 * and terms never decrease along the log (Raft §5.3: a leader only appends entries of its own
 * term after older ones). Both are asserted on every mutation, because a violation means a bug
 * in the caller and silently continuing would break the Log Matching property.
 *
 * <p>The group's configuration in force is the latest in this log ({@link ConfigHistory}):
 * {@link #config()}, kept up to date by every mutation here.
 */
public final class RaftLog {
  private final List<LogEntry> entries = new ArrayList<>();
  private long compactedIndex;
  private long compactedTerm;
  private final ConfigHistory configs = new ConfigHistory();

  public RaftLog() {}

  public RaftLog(List<LogEntry> recovered) {
    appendAll(recovered);
  }

  /**
   * A log whose first {@code snapshotIndex} entries are in a snapshot, followed by {@code recovered};
   * the snapshot carries no configuration.
   */
  public RaftLog(long snapshotIndex, long snapshotTerm, List<LogEntry> recovered) {
    this.compactedIndex = snapshotIndex;
    this.compactedTerm = snapshotTerm;
    appendAll(recovered);
  }

  /**
   * A log whose first {@code snapshotIndex} entries are in a snapshot, which carries the
   * configuration {@code snapshotConfig} of entry {@code snapshotConfigIndex}, followed by {@code recovered}.
   */
  public RaftLog(long snapshotIndex, long snapshotTerm, Configuration snapshotConfig, long snapshotConfigIndex,
      List<LogEntry> recovered) {
    checkSnapshotConfig(snapshotIndex, snapshotConfigIndex);
    this.compactedIndex = snapshotIndex;
    this.compactedTerm = snapshotTerm;
    configs.reset(Optional.of(snapshotConfig), snapshotConfigIndex);
    appendAll(recovered);
  }

  public long firstIndex() {
    return compactedIndex + 1;
  }

  /** The last index covered by a snapshot and no longer held here (0: nothing compacted). */
  public long compactedIndex() {
    return compactedIndex;
  }

  public long lastIndex() {
    return compactedIndex + entries.size();
  }

  /**
   * Drops the entries up to {@code index} (a snapshot covers them). Beyond the last entry, the
   * log becomes empty after {@code index} with {@code term} as the term of its base.
   */
  public void compactTo(long index, long term) {
    if (index <= compactedIndex) return;
    if (index <= lastIndex()) {
      if (termAt(index) != term) {
        throw new IllegalStateException("compacting to " + index + " term " + term + " but the log has term "
            + termAt(index) + " there");
      }
      entries.subList(0, (int) (index - compactedIndex)).clear();
    } else {
      entries.clear();
    }
    configs.compactedTo(index);
    compactedIndex = index;
    compactedTerm = term;
  }

  /**
   * Discards every entry: the log continues after a snapshot at {@code index} (InstallSnapshot)
   * that carries no configuration.
   */
  public void resetTo(long index, long term) {
    entries.clear();
    configs.reset(Optional.empty(), 0);
    compactedIndex = index;
    compactedTerm = term;
  }

  /**
   * Discards every entry: the log continues after a snapshot at {@code index} that carries the
   * configuration {@code config} of entry {@code configIndex}.
   */
  public void resetTo(long index, long term, Configuration config, long configIndex) {
    checkSnapshotConfig(index, configIndex);
    resetTo(index, term);
    configs.reset(Optional.of(config), configIndex);
  }

  private static void checkSnapshotConfig(long snapshotIndex, long configIndex) {
    if (configIndex > snapshotIndex) {
      throw new IllegalArgumentException("a snapshot at " + snapshotIndex + " cannot carry the configuration of entry "
          + configIndex);
    }
  }

  /**
   * The configuration in force (thesis §4.1): the latest in this log, committed or not, else the
   * one its snapshot carries; empty for a group of before configurations were in the log.
   */
  public Optional<Configuration> config() {
    return configs.latest();
  }

  /** The index of the entry of {@link #config()}; 0 when there is none. */
  public long configIndex() {
    return configs.latestIndex();
  }

  /**
   * The configuration in force at {@code index}, what a snapshot of the state through it carries:
   * the latest at or before it. Known from the snapshot's configuration on.
   */
  public Optional<Configuration> configAt(long index) {
    if (index > lastIndex()) {
      throw new IllegalArgumentException("no entry " + index + " in log [" + firstIndex() + ", " + lastIndex() + "]");
    }
    return configs.at(index);
  }

  /** The index of the entry of {@link #configAt}{@code (index)}; 0 when there is none. */
  public long configIndexAt(long index) {
    configAt(index); // the same checks
    return configs.indexAt(index);
  }

  public long lastTerm() {
    return termAt(lastIndex());
  }

  /**
   * Term of the entry at {@code index}; 0 for index 0; the snapshot's term at the compaction
   * point; -1 when the log has no such entry (compacted away or beyond the end).
   */
  public long termAt(long index) {
    if (index == 0) return 0;
    if (index == compactedIndex) return compactedTerm;
    if (index < firstIndex() || index > lastIndex()) return -1;
    return entries.get((int) (index - firstIndex())).getTerm();
  }

  public LogEntry entry(long index) {
    if (index < firstIndex() || index > lastIndex()) {
      throw new IllegalArgumentException("no entry " + index + " in log [" + firstIndex() + ", " + lastIndex() + "]");
    }
    return entries.get((int) (index - firstIndex()));
  }

  /** True when this log holds an entry at {@code index} with {@code term} (Raft §5.3 check). */
  public boolean matches(long index, long term) {
    return term >= 0 && termAt(index) == term; // -1 is "no such entry", on either side
  }

  /**
   * Raft §5.4.1 "at least as up-to-date": a higher last term wins, then a longer log.
   */
  public boolean isUpToDate(long otherLastIndex, long otherLastTerm) {
    long myLastTerm = lastTerm();
    return otherLastTerm > myLastTerm
        || (otherLastTerm == myLastTerm && otherLastIndex >= lastIndex());
  }

  /**
   * Entries from {@code fromIndex}, at most {@code maxEntries} and about {@code maxBytes} of
   * commands (always at least one entry when one exists, so an oversized entry still moves).
   */
  public List<LogEntry> slice(long fromIndex, int maxEntries, long maxBytes) {
    if (fromIndex > lastIndex()) return List.of();
    if (fromIndex < firstIndex()) {
      throw new IllegalArgumentException("slice from " + fromIndex + " before first " + firstIndex());
    }
    List<LogEntry> out = new ArrayList<>();
    long bytes = 0;
    for (long i = fromIndex; i <= lastIndex() && out.size() < maxEntries; i++) {
      LogEntry e = entry(i);
      bytes += e.getCommand().size();
      if (!out.isEmpty() && bytes > maxBytes) break;
      out.add(e);
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * First index among {@code incoming} whose term disagrees with this log, or 0 when every
   * incoming entry is already present (a duplicate or reordered AppendEntries). Raft §5.3: an
   * existing entry that conflicts with a new one is deleted together with all that follow it.
   */
  public long findConflict(List<LogEntry> incoming) {
    for (LogEntry e : incoming) {
      if (!matches(e.getIndex(), e.getTerm())) return e.getIndex();
    }
    return 0;
  }

  /** Removes the entries at {@code fromIndex} and after. */
  public void truncateFrom(long fromIndex) {
    if (fromIndex < firstIndex()) {
      throw new IllegalArgumentException("cannot truncate from " + fromIndex);
    }
    while (lastIndex() >= fromIndex) entries.remove(entries.size() - 1);
    configs.truncatedFrom(fromIndex);
  }

  /** Appends entries that must continue this log densely and with non-decreasing terms. */
  public void appendAll(List<LogEntry> more) {
    for (LogEntry e : more) append(e);
  }

  public void append(LogEntry e) {
    if (e.getIndex() != lastIndex() + 1) {
      throw new IllegalStateException("log gap: appending " + e.getIndex() + " after " + lastIndex());
    }
    if (e.getTerm() < lastTerm()) {
      throw new IllegalStateException(
          "term regression: entry " + e.getIndex() + " term " + e.getTerm() + " after " + lastTerm());
    }
    Configuration config = e.getKind() == EntryKind.ENTRY_KIND_CONFIG ? configOf(e) : null;
    entries.add(e);
    if (config != null) configs.appended(e.getIndex(), config);
  }

  private static Configuration configOf(LogEntry e) {
    try {
      return Configuration.fromProto(GroupConfig.parseFrom(e.getCommand()));
    } catch (InvalidProtocolBufferException | IllegalArgumentException bad) {
      throw new IllegalStateException("entry " + e.getIndex() + " holds no valid configuration: " + bad.getMessage(),
          bad);
    }
  }

  /**
   * Fast back-off hint for a rejected AppendEntries (Raft §5.3, "optimization"): the first index
   * this log holds for the term it has at {@code prevIndex}, or {@code lastIndex()+1} when the log is
   * too short. The leader then skips a whole conflicting term per round trip.
   */
  public ConflictHint conflictHint(long prevIndex) {
    if (prevIndex > lastIndex()) return new ConflictHint(lastIndex() + 1, 0);
    long term = termAt(prevIndex);
    long first = prevIndex;
    while (first > firstIndex() && termAt(first - 1) == term) first--;
    return new ConflictHint(first, term);
  }

  /** Index of the last entry whose term is at most {@code term}, or 0 (leader-side back-off). */
  public long lastIndexOfTermAtMost(long term, long atOrBefore) {
    long i = Math.min(atOrBefore, lastIndex());
    while (i > 0 && termAt(i) > term) i--;
    return i;
  }

  public record ConflictHint(long index, long term) {}
}
