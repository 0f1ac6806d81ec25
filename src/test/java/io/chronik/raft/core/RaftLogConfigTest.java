package io.chronik.raft.core;

import static io.chronik.raft.core.RaftLogTest.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.chronik.raft.rpc.EntryKind;
import io.chronik.raft.rpc.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The configuration a {@link RaftLog} puts in force (thesis §4.1: the latest in the log, committed
 * or not): over appends, truncations, compaction, snapshots and recovery.
 */
class RaftLogConfigTest {
  private static final Configuration ABC = Configuration.legacy(Set.of("a", "b", "c"));
  private static final Configuration ABC_D = ABC.withLearner("d", "sd");
  private static final Configuration JOINT = ABC_D.enterJoint(Set.of("a", "b", "c", "d/1"), true);

  static LogEntry configEntry(long index, long term, Configuration config) {
    return LogEntry.newBuilder().setIndex(index).setTerm(term).setKind(EntryKind.ENTRY_KIND_CONFIG)
        .setCommand(config.toProto().toByteString()).build();
  }

  /** Entries 1..last of term 1, with the given configurations at their indexes (index, config, ...). */
  static List<LogEntry> entries(long last, Object... indexAndConfig) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = 1; i <= last; i++) {
      LogEntry e = entry(i, 1);
      for (int k = 0; k < indexAndConfig.length; k += 2) {
        if (((Number) indexAndConfig[k]).longValue() == i) e = configEntry(i, 1, (Configuration) indexAndConfig[k + 1]);
      }
      out.add(e);
    }
    return out;
  }

  @Test
  void aLogWithoutConfigurationEntriesHasNone() {
    RaftLog log = new RaftLog(entries(5));
    assertEquals(Optional.empty(), log.config(), "a group of before configurations were in the log");
    assertEquals(0, log.configIndex());
    assertEquals(Optional.empty(), log.configAt(3));
  }

  @Test
  void anAppendedConfigurationIsInForceAtOnceCommittedOrNot() {
    RaftLog log = new RaftLog(entries(3, 1, ABC));
    log.append(configEntry(4, 1, ABC_D));
    log.append(entry(5, 1));
    assertEquals(Optional.of(ABC_D), log.config());
    assertEquals(4, log.configIndex());
    assertEquals(Optional.of(ABC), log.configAt(3));
    assertEquals(Optional.of(ABC_D), log.configAt(4));
    assertEquals(Optional.of(ABC_D), log.configAt(5));
    assertThrows(IllegalArgumentException.class, () -> log.configAt(6));
  }

  @Test
  void truncatingAConfigurationPutsTheOneBeforeBack() {
    RaftLog log = new RaftLog(entries(6, 1, ABC, 3, ABC_D, 5, JOINT));
    log.truncateFrom(5);
    assertEquals(Optional.of(ABC_D), log.config());
    assertEquals(3, log.configIndex());
    log.truncateFrom(3);
    assertEquals(Optional.of(ABC), log.config());
    assertEquals(1, log.configIndex());
    log.truncateFrom(1);
    assertEquals(Optional.empty(), log.config());
  }

  @Test
  void compactionKeepsTheConfigurationInForceAtItsPoint() {
    RaftLog log = new RaftLog(entries(8, 2, ABC, 4, ABC_D, 7, JOINT));
    log.compactTo(5, 1);
    assertEquals(Optional.of(JOINT), log.config());
    assertEquals(Optional.of(ABC_D), log.configAt(5), "entry 4's, compacted away, is still known");
    assertEquals(Optional.of(ABC_D), log.configAt(4));
    assertThrows(IllegalArgumentException.class, () -> log.configAt(3), "older ones are gone with their entries");
    log.compactTo(8, 1);
    assertEquals(Optional.of(JOINT), log.config());
    assertEquals(7, log.configIndex());
    log.truncateFrom(9);
    assertEquals(Optional.of(JOINT), log.config(), "a compacted configuration is committed: no truncation reaches it");
  }

  @Test
  void aSnapshotCarriesTheConfigurationInForceAtIt() {
    RaftLog recovered = new RaftLog(10, 2, ABC_D, 6, List.of(entry(11, 2), configEntry(12, 2, JOINT)));
    assertEquals(Optional.of(JOINT), recovered.config());
    assertEquals(12, recovered.configIndex());
    assertEquals(Optional.of(ABC_D), recovered.configAt(11));
    recovered.truncateFrom(12);
    assertEquals(Optional.of(ABC_D), recovered.config());
    assertEquals(6, recovered.configIndex());

    recovered.resetTo(20, 3, JOINT, 18);
    assertEquals(Optional.of(JOINT), recovered.config());
    assertEquals(18, recovered.configIndex());
    recovered.resetTo(30, 4);
    assertEquals(Optional.empty(), recovered.config(), "a snapshot of before configurations were in the log");
    assertEquals(0, recovered.configIndex());
    assertThrows(IllegalArgumentException.class, () -> recovered.resetTo(40, 4, ABC, 41));
    assertEquals(30, recovered.lastIndex(), "a refused reset changes nothing");
    assertThrows(IllegalArgumentException.class, () -> new RaftLog(10, 2, ABC, 11, List.of()));
  }

  @Test
  void anEntryThatHoldsNoValidConfigurationIsRefusedAndNotAppended() {
    RaftLog log = new RaftLog(entries(2, 1, ABC));
    LogEntry garbage = LogEntry.newBuilder().setIndex(3).setTerm(1).setKind(EntryKind.ENTRY_KIND_CONFIG)
        .setCommand(ByteString.copyFromUtf8("not a configuration")).build();
    assertThrows(IllegalStateException.class, () -> log.append(garbage));
    LogEntry noVoters = LogEntry.newBuilder().setIndex(3).setTerm(1).setKind(EntryKind.ENTRY_KIND_CONFIG).build();
    assertEquals("entry 3 holds no valid configuration: no voters: a configuration needs at least one",
        assertThrows(IllegalStateException.class, () -> log.append(noVoters)).getMessage());
    assertEquals(2, log.lastIndex());
    assertEquals(Optional.of(ABC), log.config());
  }
}
