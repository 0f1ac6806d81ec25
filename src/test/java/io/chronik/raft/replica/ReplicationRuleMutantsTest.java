package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.Progress;
import io.chronik.raft.core.Quorum;
import io.chronik.raft.core.RaftLog;
import io.chronik.raft.core.RaftLog.ConflictHint;
import io.chronik.raft.core.RaftRules;
import io.chronik.raft.core.ReplicationRules;
import io.chronik.raft.transcript.Transcripts;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Mutation testing of the replication rules: each mutant overrides one method of
 * {@link ReplicationRules} with a plausible bug and is put into the replica as a value
 * ({@link RaftRules#withReplication}); the transcript that pins the rule must run as written with
 * the standard rules and must not with the mutant.
 */
class ReplicationRuleMutantsTest {

  record Mutant(String name, ReplicationRules rules, String transcript) {}

  static Stream<Mutant> mutants() {
    return Stream.of(
        new Mutant("onAppendEntries accepts without checking prevLogTerm", new ReplicationRules() {
          @Override
          public AppendDecision onAppendEntries(RaftLog log, AppendRequest req) {
            long held = log.termAt(req.prevIndex());
            return super.onAppendEntries(log, held < 0 ? req
                : new AppendRequest(req.prevIndex(), held, req.entries(), req.leaderCommit()));
          }
        }, "03-follower-refuses-wrong-term-with-hint.txt"),
        new Mutant("onAppendEntries truncates even matching entries", new ReplicationRules() {
          @Override
          public AppendDecision onAppendEntries(RaftLog log, AppendRequest req) {
            AppendDecision d = super.onAppendEntries(log, req);
            if (!d.accepted() || req.entries().isEmpty()) return d;
            long first = req.entries().get(0).getIndex();
            return new AppendDecision(true, 0, first <= log.lastIndex() ? first : 0, req.entries(), d.commitTo(),
                d.matchIndex(), null);
          }
        }, "05-follower-keeps-entries-on-duplicate.txt"),
        new Mutant("onAppendEntries commits leaderCommit without the min", new ReplicationRules() {
          @Override
          public AppendDecision onAppendEntries(RaftLog log, AppendRequest req) {
            AppendDecision d = super.onAppendEntries(log, req);
            if (!d.accepted()) return d;
            return new AppendDecision(true, 0, d.truncateFrom(), d.toAppend(),
                Math.min(req.leaderCommit(), log.lastIndex()), d.matchIndex(), null);
          }
        }, "06-follower-commit-min-leader-commit-last-new.txt"),
        new Mutant("onAppendEntries refuses a prevLogIndex before the compaction point", new ReplicationRules() {
          @Override
          public AppendDecision onAppendEntries(RaftLog log, AppendRequest req) {
            if (log.matches(req.prevIndex(), req.prevTerm())) return super.onAppendEntries(log, req);
            return new AppendDecision(false, req.prevIndex(), 0, List.of(), 0, 0, conflictHint(log, req.prevIndex()));
          }
        }, "12-follower-skips-entries-its-snapshot-covers.txt"),
        new Mutant("onAppendEntries checks the entries its snapshot covers against the log", new ReplicationRules() {
          @Override
          public AppendDecision onAppendEntries(RaftLog log, AppendRequest req) {
            long base = log.compactedIndex();
            // Moves prev to the compaction point but keeps the covered entries: they look like conflicts.
            return super.onAppendEntries(log, req.prevIndex() >= base ? req
                : new AppendRequest(base, log.termAt(base), req.entries(), req.leaderCommit()));
          }
        }, "12-follower-skips-entries-its-snapshot-covers.txt"),
        new Mutant("conflictHint names the refused index, not the first of its term", new ReplicationRules() {
          @Override
          public ConflictHint conflictHint(RaftLog log, long prevIndex) {
            ConflictHint h = super.conflictHint(log, prevIndex);
            return h.term() == 0 ? h : new ConflictHint(prevIndex, h.term());
          }
        }, "03-follower-refuses-wrong-term-with-hint.txt"),
        new Mutant("retryIndex ignores the hint and backs off by one", new ReplicationRules() {
          @Override
          public long retryIndex(RaftLog log, long rejectedPrev, long conflictIndex, long conflictTerm) {
            return rejectedPrev;
          }
        }, "07-leader-fast-backoff.txt"),
        new Mutant("retryIndex retries at the last entry of the follower's term, not after it", new ReplicationRules() {
          @Override
          public long retryIndex(RaftLog log, long rejectedPrev, long conflictIndex, long conflictTerm) {
            long retry = super.retryIndex(log, rejectedPrev, conflictIndex, conflictTerm);
            return conflictTerm == 0 ? retry : Math.max(1, retry - 1);
          }
        }, "07-leader-fast-backoff.txt"),
        new Mutant("nextSend ignores the in-flight limit while replicating", new ReplicationRules() {
          @Override
          public Send nextSend(Progress pr, RaftLog log, int maxEntries, long maxBytes) {
            if (pr.snapshotting() || pr.probing() || needsSnapshot(pr, log) || pr.next() > log.lastIndex()) {
              return super.nextSend(pr, log, maxEntries, maxBytes);
            }
            long prev = pr.next() - 1;
            return new Send(SendKind.ENTRIES, prev, log.termAt(prev), log.slice(pr.next(), 1, maxBytes));
          }
        }, "08-leader-pipelining-inflight-limit.txt"),
        new Mutant("needsSnapshot compares with the compaction point instead of the first index held",
            new ReplicationRules() {
              @Override
              public boolean needsSnapshot(Progress pr, RaftLog log) {
                return pr.next() < log.compactedIndex();
              }
            }, "11-leader-sends-snapshot-when-compacted.txt"),
        new Mutant("commitIndex commits an old-term entry by counting (Figure 8)", new ReplicationRules() {
          @Override
          public long commitIndex(RaftLog log, Quorum quorum, Map<String, Long> match, long term, long commitIndex) {
            return Math.max(commitIndex, quorum.committedIndex(match));
          }
        }, "09-figure-8-old-term-not-committed.txt"),
        new Mutant("commitIndex commits what any one follower holds, not a majority", new ReplicationRules() {
          @Override
          public long commitIndex(RaftLog log, Quorum quorum, Map<String, Long> match, long term, long commitIndex) {
            long best = commitIndex;
            for (long m : match.values()) if (m > best && log.termAt(m) == term) best = m;
            return best;
          }
        }, "10-leader-commits-on-majority-of-five.txt"));
  }

  /** Its transcript is a read's: a follower learns the commit index from a read index too. */
  @Test
  void followerCommitBeyondTheProvedPrefixIsCaught() {
    ReplicationRules mutant = new ReplicationRules() {
      @Override
      public long followerCommit(long leaderCommit, long matched) {
        return leaderCommit; // trusts the leader's index past what its appends proved
      }
    };
    Path file = ReadTranscriptTest.DIR.resolve("19-read-index-commits-the-proved-prefix.txt");
    ReplicaSettings standard = OneReplica.settings();
    assertTrue(Transcripts.matches(file, new ReadTranscriptTest.Script(standard)), file + " fails as written");
    assertFalse(Transcripts.matches(file,
        new ReadTranscriptTest.Script(standard.withRules(RaftRules.STANDARD.withReplication(mutant)))),
        "followerCommit without the proved prefix went unnoticed by " + file);
  }

  @TestFactory
  Stream<DynamicTest> eachMutantFailsItsTranscript() {
    return mutants().map(m -> DynamicTest.dynamicTest(m.name(), () -> {
      Path file = ReplicationTranscriptTest.DIR.resolve(m.transcript());
      assertTrue(Transcripts.matches(file, new ReplicationTranscriptTest.Script(RaftRules.STANDARD)),
          file + " must run as written with the standard rules");
      assertFalse(Transcripts.matches(file,
          new ReplicationTranscriptTest.Script(RaftRules.STANDARD.withReplication(m.rules()))),
          m.name() + " went unnoticed by " + file);
    }));
  }
}
