package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chronik.raft.rpc.LogEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RaftLogTest {
  static LogEntry entry(long index, long term) {
    return LogEntry.newBuilder().setIndex(index).setTerm(term).setCommand(ByteString.copyFromUtf8("c" + index)).build();
  }

  /** A log with the given terms at indexes 1, 2, ... */
  static RaftLog logOfTerms(long... terms) {
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) entries.add(entry(i + 1, terms[i]));
    return new RaftLog(entries);
  }

  @Test
  void emptyLogHasTheEmptyPrefixAtIndexZero() {
    RaftLog log = new RaftLog();
    assertEquals(0, log.lastIndex());
    assertEquals(0, log.lastTerm());
    assertTrue(log.matches(0, 0));
    assertFalse(log.matches(1, 1));
    assertEquals(-1, log.termAt(1));
  }

  @Test
  void appendRefusesGapsAndTermRegressions() {
    RaftLog log = logOfTerms(1, 2);
    assertThrows(IllegalStateException.class, () -> log.append(entry(4, 2)));
    assertThrows(IllegalStateException.class, () -> log.append(entry(3, 1)));
    log.append(entry(3, 2));
    assertEquals(3, log.lastIndex());
  }

  @Test
  void upToDateComparesLastTermThenLength() {
    RaftLog log = logOfTerms(1, 1, 2);
    assertTrue(log.isUpToDate(1, 3), "higher last term wins even when shorter");
    assertFalse(log.isUpToDate(10, 1), "lower last term loses even when longer");
    assertTrue(log.isUpToDate(3, 2));
    assertFalse(log.isUpToDate(2, 2));
  }

  @Test
  void findConflictSkipsEntriesAlreadyPresent() {
    RaftLog log = logOfTerms(1, 1, 2, 2);
    assertEquals(0, log.findConflict(List.of(entry(2, 1), entry(3, 2))), "duplicates are no conflict");
    assertEquals(5, log.findConflict(List.of(entry(4, 2), entry(5, 3))), "first new entry");
    assertEquals(3, log.findConflict(List.of(entry(2, 1), entry(3, 3))), "first disagreeing term");
  }

  @Test
  void truncateRemovesTheSuffix() {
    RaftLog log = logOfTerms(1, 1, 2, 2);
    log.truncateFrom(3);
    assertEquals(2, log.lastIndex());
    assertEquals(1, log.lastTerm());
    assertThrows(IllegalArgumentException.class, () -> log.truncateFrom(0));
  }

  @Test
  void conflictHintNamesTheFirstIndexOfTheConflictingTerm() {
    RaftLog log = logOfTerms(1, 2, 2, 2, 3);
    assertEquals(new RaftLog.ConflictHint(2, 2), log.conflictHint(4));
    assertEquals(new RaftLog.ConflictHint(6, 0), log.conflictHint(9), "too short: ask from the end");
    assertEquals(new RaftLog.ConflictHint(1, 1), log.conflictHint(1));
  }

  @Test
  void sliceIsBoundedByCountAndBytesButAlwaysMovesOneEntry() {
    RaftLog log = logOfTerms(1, 1, 1, 1);
    assertEquals(2, log.slice(1, 2, 1000).size());
    assertEquals(1, log.slice(1, 10, 1).size(), "an entry larger than the byte bound still goes alone");
    assertEquals(2, log.slice(3, 10, 1000).size());
    assertTrue(log.slice(5, 10, 1000).isEmpty());
  }

  @Test
  void lastIndexOfTermAtMostWalksBack() {
    RaftLog log = logOfTerms(1, 1, 3, 3, 5);
    assertEquals(2, log.lastIndexOfTermAtMost(2, 5));
    assertEquals(4, log.lastIndexOfTermAtMost(4, 5));
    assertEquals(0, log.lastIndexOfTermAtMost(0, 5));
  }

  @Test
  void compactionDropsAPrefixAndKeepsTheTermOfItsLastEntry() {
    RaftLog log = logOfTerms(1,1, 2, 2, 3);
    log.compactTo(3, 2);
    assertEquals(4, log.firstIndex());
    assertEquals(3, log.compactedIndex());
    assertEquals(5, log.lastIndex());
    assertEquals(2, log.termAt(3), "the compaction point keeps its term for the consistency check");
    assertEquals(-1, log.termAt(2), "entries before it are unknown");
    assertTrue(log.matches(3, 2));
    assertFalse(log.matches(2, 1), "an unknown entry never matches");
    assertEquals(3, log.entry(5).getTerm());
    assertThrows(IllegalArgumentException.class, () -> log.entry(3));
    assertThrows(IllegalArgumentException.class, () -> log.slice(2, 10, 1000));
    assertEquals(2, log.slice(4, 10, 1000).size());
    log.append(entry(6, 3));
    assertEquals(6, log.lastIndex());
    assertThrows(IllegalStateException.class, () -> log.compactTo(5, 2), "the term at the point must agree");
  }

  @Test
  void compactingPastTheEndOrResettingLeavesAnEmptyLogAfterTheSnapshot() {
    RaftLog log = logOfTerms(1, 1);
    log.compactTo(10, 4);
    assertEquals(10, log.lastIndex());
    assertEquals(4, log.lastTerm());
    assertTrue(log.isUpToDate(10, 4));
    assertFalse(log.isUpToDate(9, 4));
    log.append(entry(11, 5));
    log.resetTo(20, 6);
    assertEquals(20, log.lastIndex());
    assertEquals(21, log.firstIndex());
    assertFalse(log.matches(21, 0), "-1 never matches: not even a message that says -1");
    assertFalse(log.matches(25, -1));
  }

  @Test
  void aLogRecoveredAfterASnapshotContinuesFromIt() {
    RaftLog log = new RaftLog(7, 2, List.of(entry(8, 2), entry(9, 3)));
    assertEquals(8, log.firstIndex());
    assertEquals(9, log.lastIndex());
    assertTrue(log.matches(7, 2));
    assertThrows(IllegalStateException.class, () -> new RaftLog(7, 2, List.of(entry(9, 2))));
  }
}
