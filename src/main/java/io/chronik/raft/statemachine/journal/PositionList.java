package io.chronik.raft.statemachine.journal;

import java.util.Arrays;

/** A growing, ascending list of record positions (a tag's events), without boxing. */
final class PositionList {
  private long[] positions = new long[8];
  private int size;

  void add(long position) {
    if (size == positions.length) positions = Arrays.copyOf(positions, size * 2);
    positions[size++] = position;
  }

  int size() {
    return size;
  }

  long get(int i) {
    return positions[i];
  }

  /** The index of the first position >= {@code position} ({@link #size()} if none). */
  int firstAtOrAfter(long position) {
    int found = Arrays.binarySearch(positions, 0, size, position);
    return found >= 0 ? found : -found - 1;
  }
}
