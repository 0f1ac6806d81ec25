package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.SnapshotRules.Abandon;
import io.chronik.raft.core.SnapshotRules.ChunkVerdict;
import io.chronik.raft.core.SnapshotRules.Install;
import io.chronik.raft.core.SnapshotRules.Receiving;
import io.chronik.raft.core.SnapshotRules.Response;
import io.chronik.raft.core.SnapshotRules.StoredVerdict;
import io.chronik.raft.core.SnapshotRules.Taking;
import io.chronik.raft.core.SnapshotRules.Transfer;
import io.chronik.raft.rpc.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link SnapshotRules}, value in, value out (Raft §7). */
class SnapshotRulesTest {
  private final SnapshotRules rules = new SnapshotRules();
  private static final Transfer T1 = new Transfer("a", 2, 1, 10, 2);

  @Test
  void aSnapshotIsDueAfterEnoughEntriesOrBytesButNeverTwoAtOnce() {
    assertFalse(rules.snapshotDue(new Taking(14, 10, 0, false, false, false), 5, 100), "4 entries of 5");
    assertTrue(rules.snapshotDue(new Taking(15, 10, 0, false, false, false), 5, 100), "5 entries");
    assertTrue(rules.snapshotDue(new Taking(11, 10, 100, false, false, false), 5, 100), "100 bytes");
    assertTrue(rules.snapshotDue(new Taking(11, 10, 0, true, false, false), 5, 100), "replacing a received copy");
    assertFalse(rules.snapshotDue(new Taking(10, 10, 0, true, false, false), 5, 100), "nothing past the last one");
    assertFalse(rules.snapshotDue(new Taking(15, 10, 0, false, true, false), 5, 100), "one is being saved");
    assertFalse(rules.snapshotDue(new Taking(15, 10, 0, false, false, true), 5, 100), "a leader's is received");
  }

  @Test
  void compactionKeepsRetainedEntriesAndWhatIsNotApplied() {
    assertEquals(8, rules.compactTo(10, 2, 10, 0));
    assertEquals(7, rules.compactTo(10, 0, 7, 0), "not past what is applied");
    assertEquals(0, rules.compactTo(10, 2, 10, 8), "compacted that far already");
    assertEquals(0, rules.compactTo(3, 5, 10, 0), "the retained entries reach the start of the log");
  }

  @Test
  void aTransferIsAbandonedWhenItsLeaderIsGoneOrItsIndexCommitted() {
    Receiving r = new Receiving(T1, 74, false);
    assertEquals(Abandon.KEEP, rules.abandoned(null, 2, Optional.of("a"), 3));
    assertEquals(Abandon.KEEP, rules.abandoned(r, 2, Optional.of("a"), 9));
    assertEquals(Abandon.LEADER_GONE, rules.abandoned(r, 3, Optional.of("a"), 3), "a later term");
    assertEquals(Abandon.LEADER_GONE, rules.abandoned(r, 2, Optional.empty(), 3), "no leader known");
    assertEquals(Abandon.COMMITTED, rules.abandoned(r, 2, Optional.of("a"), 10));
    assertEquals(Abandon.KEEP, rules.abandoned(new Receiving(T1, 74, true), 3, Optional.of("c"), 10), "completing");
  }

  @Test
  void whichChunkAFollowerStores() {
    Receiving r = new Receiving(T1, 74, false);
    assertEquals(ChunkVerdict.ALREADY_COMMITTED, rules.onChunk(r, T1, 16, 10));
    assertEquals(ChunkVerdict.NEW_TRANSFER, rules.onChunk(null, T1, 0, 3));
    assertEquals(ChunkVerdict.START_OVER, rules.onChunk(null, T1, 16, 3));
    assertEquals(ChunkVerdict.CONTINUE, rules.onChunk(r, T1, 16, 3));
    Transfer t2 = new Transfer("a", 2, 2, 10, 2);
    assertEquals(ChunkVerdict.NEW_TRANSFER, rules.onChunk(r, t2, 0, 3), "the leader starts over");
    assertEquals(ChunkVerdict.START_OVER, rules.onChunk(r, t2, 16, 3));
    assertEquals(ChunkVerdict.IGNORE, rules.onChunk(new Receiving(t2, 74, false), T1, 0, 3), "a replaced transfer's");
    assertEquals(ChunkVerdict.IGNORE, rules.onChunk(new Receiving(T1, 74, true), T1, 16, 3), "being installed");
    assertEquals(ChunkVerdict.START_OVER, rules.onChunk(r, new Transfer("c", 3, 1, 10, 2), 16, 3), "another leader's");
    assertEquals(ChunkVerdict.NEW_TRANSFER, rules.onChunk(r, new Transfer("a", 2, 1, 12, 2), 0, 3), "another snapshot");
  }

  @Test
  void afterAChunkIsStored() {
    Receiving r = new Receiving(T1, 74, false);
    assertEquals(StoredVerdict.RESUME, rules.onChunkStored(r, false, 16));
    assertEquals(StoredVerdict.COMPLETE, rules.onChunkStored(r, false, 74));
    assertEquals(StoredVerdict.MISMATCH, rules.onChunkStored(r, true, 0));
    assertEquals(StoredVerdict.MISMATCH, rules.onChunkStored(new Receiving(T1, 74, true), true, 0));
    assertEquals(StoredVerdict.WAIT, rules.onChunkStored(new Receiving(T1, 74, true), false, 74));
  }

  @Test
  void figure13Steps6And7() {
    RaftLog term1 = log(12, 1);
    RaftLog term2 = log(12, 2);
    assertTrue(rules.conflictsWithLog(10, 2, term1));
    assertFalse(rules.conflictsWithLog(10, 2, term2));
    assertFalse(rules.conflictsWithLog(12, 2, term1), "nothing after the snapshot point");
    assertEquals(Install.KEEP_SUFFIX, rules.install(10, 2, 3, term2));
    assertEquals(Install.REPLACE_LOG, rules.install(10, 2, 3, term1));
    assertEquals(Install.REPLACE_LOG, rules.install(10, 2, 3, log(3, 2)), "the log ends before it");
    assertEquals(Install.ALREADY_APPLIED, rules.install(10, 2, 11, term2));
  }

  @Test
  void theLeadersSide() {
    assertTrue(rules.startsTransfer(0, 5), "none under way");
    assertTrue(rules.startsTransfer(5, 9), "a newer snapshot replaced it");
    assertFalse(rules.startsTransfer(5, 5));
    assertEquals(Response.INSTALLED, rules.onResponse(true, 5, 0));
    assertEquals(Response.INSTALLED, rules.onResponse(true, 3, 5));
    assertEquals(Response.CHUNK, rules.onResponse(false, 5, 5));
    assertEquals(Response.IGNORE, rules.onResponse(false, 3, 5), "about another snapshot");
    assertEquals(Response.IGNORE, rules.onResponse(false, 5, 0), "nothing being sent");
  }

  @Test
  void theLeaderMovesItsTransferOnTheFollowersAnswer() {
    SnapshotRules.Sending s = new SnapshotRules.Sending(1, 16, 32, false); // sent [16, 32), waiting
    assertEquals(new SnapshotRules.ChunkAnswer(SnapshotRules.Next.NEXT, true), rules.chunkAnswered(s, 1, 32));
    assertEquals(new SnapshotRules.ChunkAnswer(SnapshotRules.Next.WAIT, false), rules.chunkAnswered(s, 1, 16),
        "a repeated answer");
    assertEquals(new SnapshotRules.ChunkAnswer(SnapshotRules.Next.WAIT, false), rules.chunkAnswered(s, 1, 8),
        "an older answer");
    assertEquals(new SnapshotRules.ChunkAnswer(SnapshotRules.Next.WAIT, false), rules.chunkAnswered(s, 2, 32),
        "another transfer's");
    assertEquals(new SnapshotRules.ChunkAnswer(SnapshotRules.Next.RESTART, true), rules.chunkAnswered(s, 1, 0),
        "the follower lost the bytes");
    assertEquals(new SnapshotRules.ChunkAnswer(SnapshotRules.Next.RESTART, true), rules.chunkAnswered(s, 1, 48),
        "an offset never sent");
    assertEquals(new SnapshotRules.ChunkAnswer(SnapshotRules.Next.UNCHECKED_RESUME, true),
        rules.chunkAnswered(s, 0, 24), "an earlier version resumes where its copy ends");
    assertEquals(new SnapshotRules.ChunkAnswer(SnapshotRules.Next.CHECKED_FROM_NOW, true),
        rules.chunkAnswered(new SnapshotRules.Sending(1, 16, 32, true), 1, 32), "upgraded: start over, checked");
  }

  private static RaftLog log(int n, long term) {
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 1; i <= n; i++) entries.add(LogEntry.newBuilder().setIndex(i).setTerm(term).build());
    return new RaftLog(entries);
  }
}
