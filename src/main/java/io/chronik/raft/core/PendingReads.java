package io.chronik.raft.core;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Serving side of ReadIndex (thesis §6.4 step 3): reads that hold a valid read index wait here
 * until the state machine has applied that index, then are served locally.
 */
public final class PendingReads<R> {
  private final ReadRules rules;
  private final TreeMap<Long, List<R>> byIndex = new TreeMap<>();
  private int size;

  public PendingReads() {
    this(RaftRules.STANDARD.reads());
  }

  /** @param rules says when a read held at an index is released ({@link ReadRules#released}) */
  public PendingReads(ReadRules rules) {
    this.rules = rules;
  }

  public void add(long index, R read) {
    byIndex.computeIfAbsent(index, i -> new ArrayList<>()).add(read);
    size++;
  }

  /** Removes and returns the reads released at {@code appliedIndex}, oldest index first. */
  public List<R> ready(long appliedIndex) {
    List<R> out = new ArrayList<>();
    while (!byIndex.isEmpty() && rules.released(byIndex.firstKey(), appliedIndex)) {
      out.addAll(byIndex.pollFirstEntry().getValue());
    }
    size -= out.size();
    return out;
  }

  public int size() {
    return size;
  }
}
