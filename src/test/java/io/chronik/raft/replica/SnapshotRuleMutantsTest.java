package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.RaftLog;
import io.chronik.raft.core.RaftRules;
import io.chronik.raft.core.SnapshotRules;
import io.chronik.raft.transcript.Transcripts;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each public rule of {@link SnapshotRules} broken in one plausible way, injected as a value
 * through {@link ReplicaSettings#withRules}: the named snapshot transcript runs as written with
 * the standard rules and does not with the mutant, so the transcripts would notice the bug.
 */
class SnapshotRuleMutantsTest {

  record Mutant(String name, String transcript, SnapshotRules rules) {}

  static Stream<Mutant> mutants() {
    return Stream.of(
        new Mutant("a snapshot is taken while the previous one is still being saved", "01-take-and-compact.txt",
            new SnapshotRules() {
              @Override
              public boolean snapshotDue(Taking t, long entries, long bytes) {
                return super.snapshotDue(new Taking(t.lastApplied(), t.snapshotIndex(), t.bytesSinceSnapshot(),
                    t.ownSnapshotDue(), false, t.receiving()), entries, bytes);
              }
            }),
        new Mutant("compaction keeps no retained entries", "01-take-and-compact.txt",
            new SnapshotRules() {
              @Override
              public long compactTo(long snapshotIndex, int retainedEntries, long lastApplied, long compactedIndex) {
                return super.compactTo(snapshotIndex, 0, lastApplied, compactedIndex);
              }
            }),
        new Mutant("a transfer outlives its leader (only a commit abandons it)", "05-leader-change-abandons.txt",
            new SnapshotRules() {
              @Override
              public Abandon abandoned(Receiving incoming, long term, Optional<String> leader, long commitIndex) {
                if (incoming == null || incoming.completing()) return Abandon.KEEP;
                return commitIndex >= incoming.transfer().lastIndex() ? Abandon.COMMITTED : Abandon.KEEP;
              }
            }),
        new Mutant("a late chunk of a replaced transfer is answered (restarting the leader)",
            "04-new-transfer-restarts.txt",
            new SnapshotRules() {
              @Override
              public ChunkVerdict onChunk(Receiving incoming, Transfer chunk, long offset, long commitIndex) {
                ChunkVerdict v = super.onChunk(incoming, chunk, offset, commitIndex);
                return v == ChunkVerdict.IGNORE && !incoming.completing()
                    ? (offset == 0 ? ChunkVerdict.NEW_TRANSFER : ChunkVerdict.START_OVER) : v;
              }
            }),
        new Mutant("a checksum mismatch is taken for missing bytes (the bad transfer is kept)",
            "06-checksum-mismatch.txt",
            new SnapshotRules() {
              @Override
              public StoredVerdict onChunkStored(Receiving incoming, boolean checksumMismatch, long nextOffset) {
                return super.onChunkStored(incoming, false, nextOffset);
              }
            }),
        new Mutant("a disagreeing suffix is not deleted before the snapshot completes",
            "08-conflicting-suffix-truncated.txt",
            new SnapshotRules() {
              @Override
              public boolean conflictsWithLog(long index, long term, RaftLog log) {
                return false;
              }
            }),
        new Mutant("the entries after a matching snapshot point are dropped", "09-matching-suffix-kept.txt",
            new SnapshotRules() {
              @Override
              public Install install(long index, long term, long lastApplied, RaftLog log) {
                Install how = super.install(index, term, lastApplied, log);
                return how == Install.KEEP_SUFFIX ? Install.REPLACE_LOG : how;
              }
            }),
        new Mutant("every chunk starts a new transfer", "10-leader-sends-and-resumes.txt",
            new SnapshotRules() {
              @Override
              public boolean startsTransfer(long sendingIndex, long latestIndex) {
                return true;
              }
            }),
        new Mutant("an answer about another snapshot moves the transfer", "10-leader-sends-and-resumes.txt",
            new SnapshotRules() {
              @Override
              public Response onResponse(boolean installed, long answeredIndex, long sendingIndex) {
                if (installed) return Response.INSTALLED;
                return sendingIndex > 0 ? Response.CHUNK : Response.IGNORE;
              }
            }),
        new Mutant("a follower that lost the bytes (offset 0) is never sent the snapshot again",
            "11-leader-restarts-transfer.txt",
            new SnapshotRules() {
              @Override
              public ChunkAnswer chunkAnswered(Sending s, long answered, long nextOffset) {
                ChunkAnswer a = super.chunkAnswered(s, answered, nextOffset);
                return a.next() == Next.RESTART && nextOffset == 0 ? new ChunkAnswer(Next.WAIT, false) : a;
              }
            }));
  }

  @TestFactory
  Stream<DynamicTest> everyMutantIsCaught() {
    return mutants().map(m -> DynamicTest.dynamicTest(m.name(), () -> {
      Path file = SnapshotTranscriptTest.DIR.resolve(m.transcript());
      assertTrue(Transcripts.matches(file, new SnapshotTranscriptTest.Script(RaftRules.STANDARD)),
          m.transcript() + " runs as written with the standard rules");
      assertFalse(Transcripts.matches(file, new SnapshotTranscriptTest.Script(RaftRules.STANDARD.withSnapshots(m.rules()))),
          m.transcript() + " notices the mutant: " + m.name());
    }));
  }
}
