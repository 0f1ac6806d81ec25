package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestInbox;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.ClientProtocol.ProposalRejected;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.rpc.EntryKind;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Message → effect rules of one replica (L1, BehaviorTestKit, no threads). */
class ReplicaRulesTest {
  private static final Set<String> FIVE = Set.of("s1", "s2", "s3", "s4", "s5");
  private static final Set<String> THREE = Set.of("a", "b", "c");

  private static HardState hs(long term, String vote) {
    return HardState.newBuilder().setTerm(term).setVotedFor(vote).build();
  }

  private static LogEntry entry(long index, long term) {
    return LogEntry.newBuilder().setIndex(index).setTerm(term).setCommand(ByteString.copyFromUtf8("x" + index)).build();
  }

  /**
   * Raft Figure 8: a leader must not commit an entry of an earlier term by counting replicas.
   * S1 leads term 4 holding 2@2 from its term-2 leadership; 2@2 reaches a majority (S1, S2, S3),
   * yet it commits only once the term-4 no-op (index 3) is on a majority too — otherwise S5, with
   * 2@3, could still win an election and overwrite it.
   */
  @Test
  void figureEightEarlierTermEntriesCommitOnlyThroughACurrentTermEntry() {
    OneReplica s1 = new OneReplica("s1", FIVE, hs(3, ""), List.of(entry(1, 1), entry(2, 2)));
    s1.campaignAndWin(List.of("s2", "s3"));
    assertEquals(4, s1.status().term());
    s1.persistAll(); // the no-op 3@4 is durable on S1
    s1.net.getAllReceived();
    s1.kit.run(Messages.appendResponse("s2", 4).accepted(2).build());
    s1.kit.run(Messages.appendResponse("s3", 4).accepted(2).build());
    assertEquals(0, s1.status().commitIndex(), "2@2 is on a majority but is not of the current term");
    s1.kit.run(Messages.appendResponse("s2", 4).accepted(3).build());
    assertEquals(0, s1.status().commitIndex(), "the no-op is on S1 and S2 only");
    s1.kit.run(Messages.appendResponse("s3", 4).accepted(3).build());
    assertEquals(3, s1.status().commitIndex(), "the no-op commits, and 2@2 with it");
  }

  @Test
  void aVoteIsDurableBeforeItIsAnswered() {
    OneReplica b = new OneReplica("b", THREE, hs(1, ""), List.of(entry(1, 1)));
    b.kit.run(Messages.vote("a", 2).last(1, 1).build());
    assertTrue(b.sent().isEmpty(), "no answer before the vote is persisted");
    List<Persist> writes = b.persistAll();
    assertEquals(hs(2, "a"), writes.get(0).hardState().orElseThrow());
    assertEquals(List.of(Messages.voteResponse("b", 2).granted().build()), b.sent());
  }

  @Test
  void aSecondCandidateInTheSameTermGetsNoVote() {
    OneReplica b = new OneReplica("b", THREE, hs(2, "a"), List.of(entry(1, 1)));
    b.kit.run(Messages.vote("c", 2).last(5, 2).build());
    b.persistAll();
    assertEquals(List.of(Messages.voteResponse("b", 2).refused().build()), b.sent());
  }

  @Test
  void aCandidateWithAStaleLogGetsNoVote() {
    OneReplica b = new OneReplica("b", THREE, hs(2, ""), List.of(entry(1, 1), entry(2, 2)));
    b.kit.run(Messages.vote("a", 3).last(5, 1).build());
    b.persistAll();
    assertEquals(List.of(Messages.voteResponse("b", 3).refused().build()), b.sent());
    assertEquals(3, b.status().term(), "the newer term is still adopted");
  }

  @Test
  void aStaleLeaderIsToldTheCurrentTerm() {
    OneReplica b = new OneReplica("b", THREE, hs(5, ""), List.of());
    b.kit.run(Messages.append("a", 3).entries(List.of(entry(1, 3))).commit(1).build());
    assertEquals(List.of(Messages.appendResponse("b", 5).rejected(0, 0, 0).build()), b.sent());
    assertEquals(0, b.status().lastIndex(), "entries from a stale leader are not taken");
  }

  @Test
  void aConflictingSuffixIsTruncatedDurablyBeforeTheAcknowledgement() {
    OneReplica b = new OneReplica("b", THREE, hs(2, ""), List.of(entry(1, 1), entry(2, 1), entry(3, 2)));
    b.kit.run(Messages.append("a", 3).prev(1, 1).entries(List.of(entry(2, 3))).build());
    assertTrue(b.sent().isEmpty());
    List<Persist> writes = b.persistAll();
    Persist w = writes.get(writes.size() - 1);
    assertEquals(2, w.truncateFrom(), "delete the conflicting entry and all after it");
    assertEquals(List.of(entry(2, 3)), w.entries());
    assertEquals(List.of(Messages.appendResponse("b", 3).accepted(2).build()), b.sent());
    assertEquals(2, b.status().lastIndex());
  }

  @Test
  void aMismatchedAppendIsRejectedWithAFastBackOffHint() {
    OneReplica b = new OneReplica("b", THREE, hs(3, ""), List.of(entry(1, 1), entry(2, 2), entry(3, 2), entry(4, 2)));
    b.kit.run(Messages.append("a", 3).prev(4, 3).build());
    b.persistAll();
    assertEquals(List.of(Messages.appendResponse("b", 3).rejected(4, 2, 2).build()), b.sent(),
        "first index of the conflicting term 2 is 2");
  }

  @Test
  void aDuplicatedOldAppendNeverTruncatesNewerEntries() {
    OneReplica b = new OneReplica("b", THREE, hs(1, ""), List.of());
    b.kit.run(Messages.append("a", 1).entries(List.of(entry(1, 1), entry(2, 1), entry(3, 1))).build());
    b.persistAll();
    b.net.getAllReceived();
    b.kit.run(Messages.append("a", 1).entries(List.of(entry(1, 1))).build());
    b.persistAll();
    assertEquals(3, b.status().lastIndex());
    assertEquals(List.of(Messages.appendResponse("b", 1).accepted(1).build()), b.sent());
  }

  @Test
  void anOversizedProposalIsRejectedWithTheLimitNamed() {
    OneReplica a = new OneReplica("a", Set.of("a"), hs(0, ""), List.of());
    a.kit.run(Replica.ElectionTimeout.INSTANCE);
    a.persistAll();
    assertEquals("leader", a.status().role());
    TestInbox<ProposeReply> reply = TestInbox.create();
    a.kit.run(new Propose(ByteString.copyFrom(new byte[65]), reply.getRef()));
    ProposalRejected rejected = assertInstanceOf(ProposalRejected.class, reply.receiveMessage());
    assertTrue(rejected.reason().contains("chronik.raft.max-entry-bytes"), rejected.reason());
  }

  @Test
  void aNewLeaderAppendsANoOpOfItsTerm() {
    OneReplica a = new OneReplica("a", THREE, hs(1, ""), List.of(entry(1, 1)));
    a.campaignAndWin(List.of("b"));
    List<Persist> writes = a.persistAll();
    LogEntry noop = writes.get(writes.size() - 1).entries().get(0);
    assertEquals(EntryKind.ENTRY_KIND_NOOP, noop.getKind());
    assertEquals(2, noop.getIndex());
    assertEquals(2, noop.getTerm());
  }

  @Test
  void messagesFromNonMembersAreDropped() {
    OneReplica b = new OneReplica("b", THREE, hs(1, ""), List.of());
    b.kit.run(Messages.appendResponse("mallory", 9).build());
    b.kit.run(Messages.vote("a", 9).group("other-group").last(100, 100).build());
    assertTrue(b.sent().isEmpty());
    assertEquals(1, b.status().term(), "no term change from strangers or other groups");
    assertFalse(b.storage.hasMessages());
  }

  @Test
  void aVoteRequestFromOutsideTheConfigurationIsAnswered() {
    // Thesis §4.1: a server votes without consulting its own configuration; the candidate may be
    // a voter of a configuration this replica has not received yet.
    OneReplica b = new OneReplica("b", THREE, hs(1, ""), List.of());
    b.kit.run(Messages.vote("node-4/1", 9).last(100, 100).build());
    b.persistAll();
    assertEquals(9, b.status().term());
    assertEquals(1, b.sent().size(), "the candidate gets an answer");
  }

  @Test
  void aFollowerThatHeardFromTheLeaderIgnoresDisruptiveVotes() {
    OneReplica b = new OneReplica("b", THREE, hs(1, ""), List.of());
    b.kit.run(Messages.append("a", 1).build());
    b.persistAll();
    b.net.getAllReceived();
    b.kit.run(Messages.vote("c", 2).last(10, 1).build());
    assertEquals(1, b.status().term(), "thesis §4.2.3: no term change within the leader lease");
    b.kit.run(Messages.vote("c", 2).last(10, 1).preVote().build());
    b.persistAll();
    assertEquals(List.of(Messages.voteResponse("b", 1).refused().preVote().build()), b.sent(), "pre-vote refused");
  }
}
