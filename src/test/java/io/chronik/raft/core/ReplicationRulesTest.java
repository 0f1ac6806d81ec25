package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chronik.raft.core.RaftLog.ConflictHint;
import io.chronik.raft.core.ReplicationRules.AppendDecision;
import io.chronik.raft.core.ReplicationRules.AppendRequest;
import io.chronik.raft.core.ReplicationRules.Send;
import io.chronik.raft.core.ReplicationRules.SendKind;
import io.chronik.raft.rpc.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link ReplicationRules}, value in, value out. Logs are written as the terms of their entries. */
class ReplicationRulesTest {
  private final ReplicationRules rules = new ReplicationRules();

  private static List<LogEntry> entries(long after, long... terms) {
    List<LogEntry> out = new ArrayList<>();
    for (long t : terms) {
      out.add(LogEntry.newBuilder().setIndex(++after).setTerm(t).setCommand(ByteString.copyFromUtf8("x")).build());
    }
    return out;
  }

  private static RaftLog log(long... terms) {
    return new RaftLog(entries(0, terms));
  }

  private static AppendRequest append(long prev, long prevTerm, long commit, long... terms) {
    return new AppendRequest(prev, prevTerm, entries(prev, terms), commit);
  }

  // ---------------------------------------------------------------- follower

  @Test
  void acceptsWhenTheLogHoldsPrevWithItsTermAndAppendsWhatIsNew() {
    AppendDecision d = rules.onAppendEntries(log(1, 2, 2), append(3, 2, 3, 2, 2));
    assertTrue(d.accepted());
    assertEquals(0, d.truncateFrom());
    assertEquals(entries(3, 2, 2), d.toAppend());
    assertEquals(5, d.matchIndex());
    assertEquals(3, d.commitTo());
  }

  @Test
  void refusesAMissingPrevWithTheIndexAfterItsLastEntry() {
    AppendDecision d = rules.onAppendEntries(log(1, 1), append(4, 2, 4, 2));
    assertFalse(d.accepted());
    assertEquals(4, d.prevIndex());
    assertEquals(new ConflictHint(3, 0), d.hint());
  }

  @Test
  void refusesAPrevOfAnotherTermWithTheFirstIndexOfTheTermHeld() {
    AppendDecision d = rules.onAppendEntries(log(1, 2, 2, 2), append(4, 3, 4, 3));
    assertFalse(d.accepted());
    assertEquals(new ConflictHint(2, 2), d.hint());
  }

  @Test
  void truncatesFromTheFirstConflictingEntryOnly() {
    AppendDecision d = rules.onAppendEntries(log(1, 1, 2, 2), append(1, 1, 0, 1, 3, 3));
    assertTrue(d.accepted());
    assertEquals(3, d.truncateFrom(), "entry 2 matches and stays");
    assertEquals(entries(2, 3, 3), d.toAppend());
    assertEquals(4, d.matchIndex());
  }

  @Test
  void aDuplicateTruncatesNothingAndAcknowledgesOnlyWhatItCarried() {
    AppendDecision d = rules.onAppendEntries(log(1, 1, 1, 1, 1), append(1, 1, 0, 1, 1));
    assertTrue(d.accepted());
    assertEquals(0, d.truncateFrom());
    assertTrue(d.toAppend().isEmpty());
    assertEquals(3, d.matchIndex());
  }

  @Test
  void commitsNoFurtherThanTheLastEntryTheRequestProves() {
    AppendDecision heartbeat = rules.onAppendEntries(log(1, 1, 1, 1, 1), append(2, 1, 4));
    assertEquals(2, heartbeat.commitTo(), "entries 3..5 may be another leader's");
    assertEquals(1, rules.onAppendEntries(log(1, 1), append(1, 1, 1)).commitTo(), "leaderCommit when lower");
  }

  @Test
  void aRequestReachingBeforeTheCompactionPointIsCheckedFromThere() {
    RaftLog log = new RaftLog(5, 2, entries(5, 2));
    AppendDecision d = rules.onAppendEntries(log, append(3, 2, 0, 2, 2, 2, 2));
    assertTrue(d.accepted(), "3/2 is compacted away but committed, so the request is checked at 5/2");
    assertEquals(entries(6, 2), d.toAppend());
    assertEquals(7, d.matchIndex());
  }

  // ---------------------------------------------------------------- leader

  @Test
  void backOffSkipsTheFollowersTermToAfterTheLeadersLastEntryOfIt() {
    RaftLog leader = log(1, 1, 2, 2, 3);
    assertEquals(3, rules.retryIndex(leader, 4, 1, 1), "the leader's last term-1 entry is 2");
    assertEquals(3, rules.retryIndex(leader, 4, 3, 0), "follower too short: retry at its end");
    RaftLog noSuchTerm = log(1, 3, 3, 3);
    assertEquals(2, rules.retryIndex(noSuchTerm, 4, 2, 2), "no term 2 here: skip the follower's run of it");
    assertEquals(4, rules.retryIndex(leader, 4, 9, 0), "never beyond the refused previous index");
    assertEquals(1, rules.retryIndex(leader, 4, 0, 0), "never before 1");
  }

  @Test
  void sendsOneProbeThenPipelinesUpToTheInflightLimit() {
    RaftLog log = log(1, 1, 1, 1, 1, 1, 1);
    Progress pr = new Progress(3, 2);
    Send probe = rules.nextSend(pr, log, 2, 1 << 20);
    assertEquals(new Send(SendKind.ENTRIES, 2, 1, entries(2, 1, 1)), probe);
    pr.sent(4);
    assertEquals(Send.NOTHING, rules.nextSend(pr, log, 2, 1 << 20), "one probe at a time");
    pr.acknowledged(4);
    Send first = rules.nextSend(pr, log, 1, 1 << 20);
    assertEquals(new Send(SendKind.ENTRIES, 4, 1, entries(4, 1)), first);
    pr.sent(5);
    pr.sent(6);
    assertEquals(Send.NOTHING, rules.nextSend(pr, log, 1, 1 << 20), "two in flight: the limit, with 7 still to send");
  }

  @Test
  void aProbeGoesEvenWithNothingToSendButAReplicatingFollowerUpToDateGetsNothing() {
    RaftLog log = log(1, 1);
    Progress pr = new Progress(3, 4);
    assertEquals(new Send(SendKind.ENTRIES, 2, 1, List.of()), rules.nextSend(pr, log, 8, 1 << 20));
    pr.sent(2);
    pr.acknowledged(2);
    assertEquals(Send.NOTHING, rules.nextSend(pr, log, 8, 1 << 20));
  }

  @Test
  void sendsTheSnapshotWhenTheNextEntryIsCompactedAway() {
    RaftLog log = new RaftLog(5, 2, entries(5, 2));
    Progress behind = new Progress(5, 4);
    assertTrue(rules.needsSnapshot(behind, log));
    assertEquals(Send.SNAPSHOT, rules.nextSend(behind, log, 8, 1 << 20));
    assertFalse(rules.needsSnapshot(new Progress(6, 4), log), "6 is held: entries after 5/2");
    behind.startSnapshot(5);
    assertEquals(Send.NOTHING, rules.nextSend(behind, log, 8, 1 << 20), "chunks go as they are acknowledged");
  }

  @Test
  void commitsTheMajorityIndexOnlyWhenItIsOfTheCurrentTerm() {
    Quorum three = new Quorum(Set.of("a", "b", "c"));
    RaftLog log = log(1, 2, 4);
    assertEquals(0, rules.commitIndex(log, three, Map.of("a", 2L, "b", 3L), 4, 0),
        "Figure 8: 2 is on a majority but of term 2");
    assertEquals(3, rules.commitIndex(log, three, Map.of("a", 3L, "b", 3L), 4, 0), "3 is of term 4: 1..3 commit");
    assertEquals(3, rules.commitIndex(log, three, Map.of("a", 3L, "b", 1L), 4, 3), "never backwards");
    Quorum five = new Quorum(Set.of("a", "b", "c", "d", "e"));
    assertEquals(0, rules.commitIndex(log, five, Map.of("a", 3L, "b", 3L), 4, 0), "two of five");
    assertEquals(3, rules.commitIndex(log, five, Map.of("a", 3L, "b", 3L, "c", 3L), 4, 0), "three of five");
  }
}
