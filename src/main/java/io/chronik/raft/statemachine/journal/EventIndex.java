package io.chronik.raft.statemachine.journal;

import java.util.Arrays;

/**
 * One persistence id's events: where each lives in the segment files (sequence number to offset,
 * 16 bytes per event; the events themselves stay on disk), its highest sequence number ever
 * written, what is deleted, and who wrote last.
 */
final class EventIndex {
  private long[] sequenceNrs = new long[4];
  private long[] offsets = new long[4];
  private int size;
  /** Never goes down, not even when every event is deleted (Akka's journal contract). */
  long highest;
  long deletedTo;
  /** The writer ({@code PersistentRepr.writerUuid}) of the last write: a resend of it is recognised. */
  String lastWriter = "";

  void add(long sequenceNr, long offset) {
    if (size == sequenceNrs.length) {
      sequenceNrs = Arrays.copyOf(sequenceNrs, size * 2);
      offsets = Arrays.copyOf(offsets, size * 2);
    }
    sequenceNrs[size] = sequenceNr;
    offsets[size] = offset;
    size++;
    highest = Math.max(highest, sequenceNr);
  }

  /** Forgets the events up to {@code toSequenceNr}: their bytes stay in the files, unreachable. */
  void deleteTo(long toSequenceNr) {
    deletedTo = Math.max(deletedTo, toSequenceNr);
    int drop = firstAtOrAfter(deletedTo + 1);
    if (drop == 0) return;
    System.arraycopy(sequenceNrs, drop, sequenceNrs, 0, size - drop);
    System.arraycopy(offsets, drop, offsets, 0, size - drop);
    size -= drop;
    if (sequenceNrs.length > 16 && size < sequenceNrs.length / 4) {
      sequenceNrs = Arrays.copyOf(sequenceNrs, Math.max(4, size * 2));
      offsets = Arrays.copyOf(offsets, sequenceNrs.length);
    }
  }

  /** The position of the first stored event with a sequence number >= {@code sequenceNr} ({@link #size()} if none). */
  int firstAtOrAfter(long sequenceNr) {
    // Sequence numbers only grow, so they are distinct and sorted.
    int found = Arrays.binarySearch(sequenceNrs, 0, size, sequenceNr);
    return found >= 0 ? found : -found - 1;
  }


  int size() {
    return size;
  }

  long sequenceNrAt(int position) {
    return sequenceNrs[position];
  }

  long offsetAt(int position) {
    return offsets[position];
  }
}
