package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestInbox;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.ClientProtocol.NotLeader;
import io.chronik.raft.replica.ClientProtocol.OutcomeUnknown;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Leadership transfer (thesis §3.10, {@link TimeoutNow}), draining, leader balancing and the
 * follower's forwarding of writes: scripted scenarios on the simulated group (election timeout
 * 300 ms, heartbeat 50 ms, reliable network unless the script cuts it) and message-by-message
 * rules of one replica.
 */
class LeadershipTransferTest {
  private static ByteString put(String key, String value) {
    return KeyValueStateMachine.put(key, ByteString.copyFromUtf8(value));
  }

  private static String leaderOf(SimulatedGroup g) {
    return g.leader().orElseThrow(() -> new AssertionError("no leader elected"));
  }

  private static String other(SimulatedGroup g, String... not) {
    return g.ids().stream().filter(id -> !List.of(not).contains(id)).findFirst().orElseThrow();
  }

  // ---------------------------------------------------------------- scenarios

  @Test
  void aWriteSentToAFollowerIsForwardedToTheLeaderAndCommitted() {
    SimulatedGroup g = SimulatedGroup.scripted(11, 3).startAll();
    g.runFor(2_000);
    String leader = leaderOf(g);
    TestInbox<ProposeReply> reply = g.propose(other(g, leader), put("k", "v"));
    g.runFor(100);
    Proposed p = assertInstanceOf(Proposed.class, reply.receiveMessage());
    assertEquals(leader, p.leader());
    assertEquals(p.index(), g.statusOf(leader).appliedIndex());
  }

  @Test
  void aFollowerCutOffFromItsLeaderRefusesWritesAtOnceInsteadOfSendingThemIntoSilence() {
    SimulatedGroup g = SimulatedGroup.scripted(12, 3).startAll();
    g.runFor(2_000);
    String follower = other(g, leaderOf(g));
    g.isolate(follower);
    g.runFor(200); // past three heartbeats of silence, short of an election timeout
    TestInbox<ProposeReply> reply = g.propose(follower, put("k", "v"));
    assertInstanceOf(NotLeader.class, reply.receiveMessage(), "answered at once: nothing happened, retry");
  }

  @Test
  void aForwardedWriteWhoseLeaderIsGoneEndsAsUnknownAtTheNextElectionNotAtItsTimeout() {
    SimulatedGroup g = SimulatedGroup.scripted(13, 3).startAll();
    g.runFor(2_000);
    String leader = leaderOf(g);
    String follower = other(g, leader);
    g.isolate(leader);
    TestInbox<ProposeReply> reply = g.propose(follower, put("k", "lost?")); // still in contact: forwarded
    g.runFor(1_500); // an election among the other two; the proposal timeout is 5 s
    assertNotEquals(leader, leaderOf(g));
    assertInstanceOf(OutcomeUnknown.class, reply.receiveMessage());
  }

  @Test
  void aTransferHandsOverWithinAnElectionTimeoutAndLosesNoWrite() {
    SimulatedGroup g = SimulatedGroup.scripted(14, 3).startAll();
    g.runFor(2_000);
    String leader = leaderOf(g);
    long term = g.statusOf(leader).term();
    String target = other(g, leader);
    List<TestInbox<ProposeReply>> writes = new ArrayList<>();
    for (int i = 0; i < 5; i++) writes.add(g.propose(leader, put("k", "v" + i)));
    g.tell(leader, new ReplicaControl.TransferLeadership(target));
    TestInbox<ProposeReply> during = g.propose(leader, put("k", "during"));
    assertInstanceOf(NotLeader.class, during.receiveMessage(), "no new entries while handing over");
    g.runFor(200); // less than one election timeout: no waiting for a timer
    assertEquals(target, leaderOf(g));
    assertEquals(term + 1, g.statusOf(target).term());
    for (TestInbox<ProposeReply> w : writes) {
      assertInstanceOf(Proposed.class, w.receiveMessage(), "every write accepted before the hand-over committed");
    }
  }

  @Test
  void aTransferToAFollowerThatCannotBeReachedIsAbandonedAndTheLeaderGoesOn() {
    SimulatedGroup g = SimulatedGroup.scripted(15, 5).startAll();
    g.runFor(2_000);
    String leader = leaderOf(g);
    String target = other(g, leader);
    g.isolate(target);
    g.tell(leader, new ReplicaControl.TransferLeadership(target));
    g.runFor(400); // the hand-over times out after an election timeout
    assertEquals(leader, leaderOf(g));
    TestInbox<ProposeReply> after = g.propose(leader, put("k", "after"));
    g.runFor(100);
    assertInstanceOf(Proposed.class, after.receiveMessage());
  }

  @Test
  void aDrainingLeaderHandsOverAndItsReplicaLetsTheOthersElectFirst() {
    SimulatedGroup g = SimulatedGroup.scripted(16, 3).startAll();
    g.runFor(2_000);
    String drained = leaderOf(g);
    g.tell(drained, new ReplicaControl.Drain(TestInbox.<ReplicaControl.DrainStatus>create().getRef()));
    g.runFor(200);
    String next = leaderOf(g);
    assertNotEquals(drained, next);
    g.crashNow(next);
    g.runFor(3_000);
    String third = other(g, drained, next);
    assertEquals(third, leaderOf(g), "the draining replica votes, and lets the other campaign first");
    assertEquals("follower", g.statusOf(drained).role());
  }

  @Test
  void aDrainingReplicaThatAloneHoldsTheCommittedLogStillGetsTheGroupALeader() {
    SimulatedGroup g = SimulatedGroup.scripted(18, 3).startAll();
    g.runFor(2_000);
    String leader = leaderOf(g);
    String drained = other(g, leader);
    String lagging = other(g, leader, drained);
    g.tell(drained, new ReplicaControl.Drain(TestInbox.<ReplicaControl.DrainStatus>create().getRef()));
    g.isolate(lagging);
    List<TestInbox<ProposeReply>> writes = new ArrayList<>();
    for (int i = 0; i < 3; i++) writes.add(g.propose(leader, put("k", "only-on-two-" + i)));
    g.runFor(100);
    for (TestInbox<ProposeReply> w : writes) assertInstanceOf(Proposed.class, w.receiveMessage());
    g.crashNow(leader);
    g.healNetwork();
    g.runFor(5_000); // the lagging replica cannot win; the draining one campaigns after its patience
    String now = leaderOf(g);
    assertEquals(lagging, now, "the draining replica took over, caught the other up and handed over again");
    assertEquals(g.statusOf(drained).commitIndex(), g.statusOf(lagging).commitIndex());
  }

  @Test
  void leadershipGoesBackToThePreferredLeaderOnceItIsBackAndCaughtUp() {
    SimulatedGroup g = SimulatedGroup.scriptedWithPreferredLeader(17, 3).startAll();
    g.runFor(3_000);
    assertEquals("n1", leaderOf(g), "the preferred leader leads at rest");
    g.crashNow("n1");
    g.runFor(2_000);
    String interim = leaderOf(g);
    assertNotEquals("n1", interim);
    for (int i = 0; i < 20; i++) g.propose(interim, put("k", "v" + i));
    g.restart("n1");
    g.runFor(3_000);
    assertEquals("n1", leaderOf(g));
    assertEquals(g.statusOf(interim).commitIndex(), g.statusOf("n1").commitIndex());
  }

  // ---------------------------------------------------------------- message rules

  private static HardState hs(long term, String vote) {
    return HardState.newBuilder().setTerm(term).setVotedFor(vote).build();
  }

  private static LogEntry entry(long index, long term) {
    return LogEntry.newBuilder().setIndex(index).setTerm(term).setCommand(ByteString.copyFromUtf8("x" + index)).build();
  }

  /** Replica {@code self} of {a, b, c}, holding 1@2, a follower that just heard from leader a of term 2. */
  private static OneReplica followerOfA(String self) {
    OneReplica r = new OneReplica(self, Set.of("a", "b", "c"), hs(2, "a"), List.of(entry(1, 2)));
    r.kit.run(Messages.append("a", 2).prev(1, 2).commit(1).build());
    r.persistAll();
    r.net.getAllReceived();
    return r;
  }

  @Test
  void timeoutNowStartsARealElectionAtOnceWithoutPreVote() {
    OneReplica b = followerOfA("b");
    b.kit.run(new TimeoutNow("g", 2, "a"));
    b.persistAll(); // new term and self-vote, durable before asking
    List<RaftMessage> sent = b.sent();
    assertEquals(2, sent.size());
    for (RaftMessage m : sent) {
      RequestVote rv = assertInstanceOf(RequestVote.class, m);
      assertEquals(3, rv.term());
      assertFalse(rv.preVote());
      assertTrue(rv.leadershipTransfer());
    }
    assertEquals("candidate", b.status().role());
  }

  @Test
  void aVoterStillHearingFromItsLeaderConsidersOnlyATransferElection() {
    OneReplica c = new OneReplica("c", Set.of("a", "b", "c"), hs(2, "a"), List.of(entry(1, 2)));
    c.kit.run(Messages.append("a", 2).prev(1, 2).commit(1).build()); // within the leader lease now
    c.persistAll();
    c.net.getAllReceived();
    c.kit.run(Messages.vote("b", 3).last(1, 2).build());
    c.persistAll();
    assertTrue(c.sent().isEmpty(), "a disruptive candidate is ignored within the lease (thesis 4.2.3)");
    assertEquals(2, c.status().term());
    c.kit.run(Messages.vote("b", 3).last(1, 2).leadershipTransfer().build());
    c.persistAll();
    assertEquals(List.of(Messages.voteResponse("c", 3).granted().build()), c.sent());
  }

  @Test
  void aLeaderSendsTimeoutNowOnlyOnceEverythingIsCommittedAndOnTheTarget() {
    OneReplica a = new OneReplica("a", Set.of("a", "b", "c"), hs(1, ""), List.of(entry(1, 1)));
    a.campaignAndWin(List.of("b"));
    a.persistAll();
    a.kit.run(Messages.appendResponse("b", 2).accepted(2).build()); // the no-op commits
    TestInbox<ProposeReply> write = TestInbox.create();
    a.kit.run(new ClientProtocol.Propose(ByteString.copyFromUtf8("w"), write.getRef()));
    a.persistAll();
    a.net.getAllReceived();
    a.kit.run(new ReplicaControl.TransferLeadership("c"));
    assertTrue(a.sent().stream().noneMatch(m -> m instanceof TimeoutNow), "c does not hold the log yet");
    a.kit.run(Messages.appendResponse("b", 2).accepted(3).build()); // 3 commits (a, b)
    assertInstanceOf(Proposed.class, write.receiveMessage());
    assertTrue(a.sent().stream().noneMatch(m -> m instanceof TimeoutNow), "c still does not hold the log");
    a.kit.run(Messages.appendResponse("c", 2).accepted(3).build());
    assertEquals(List.of(new TimeoutNow("g", 2, "a")),
        a.sent().stream().filter(m -> m instanceof TimeoutNow).toList());
  }

  @Test
  void aLateTransferElectionFromAReplicaThatFellBehindDoesNotBreakTheLease() {
    OneReplica c = new OneReplica("c", Set.of("a", "b", "c"), hs(2, "a"), List.of(entry(1, 2), entry(2, 2)));
    c.kit.run(Messages.append("a", 2).prev(2, 2).commit(2).build());
    c.persistAll();
    c.net.getAllReceived();
    c.kit.run(Messages.vote("b", 3).last(1, 2).leadershipTransfer().build()); // b's log ends before c's
    c.persistAll();
    assertTrue(c.sent().isEmpty());
    assertEquals(2, c.status().term(), "c stays with the leader of term 2");
  }

  @Test
  void aDuplicateOfAForwardedWriteAfterItsLeaderSteppedDownInTheSameTermIsOfUnknownOutcome() {
    OneReplica a = new OneReplica("a", Set.of("a", "b", "c"), hs(1, ""), List.of(entry(1, 1)));
    a.campaignAndWin(List.of("b"));
    a.persistAll();
    ForwardedPropose fp = Messages.forwardedPropose("b", 2).proposal(77, ByteString.copyFromUtf8("w")).build();
    a.kit.run(fp);
    a.persistAll();
    a.net.getAllReceived();
    a.kit.run(Replica.CheckQuorumTick.INSTANCE);
    a.kit.run(Replica.CheckQuorumTick.INSTANCE); // nobody answered: a steps down, still in term 2
    assertEquals("follower", a.status().role());
    a.net.getAllReceived();
    a.kit.run(fp); // the duplicate: its first copy is in a's log and may still commit
    ForwardedProposeResult r = assertInstanceOf(ForwardedProposeResult.class, a.sent().get(0));
    assertEquals(ForwardedProposeResult.Outcome.UNKNOWN, r.outcome(), "never 'not leader' (retry-safe)");
  }

  /** Found by the L0 simulation: the client was told "not leader", retried, and its write applied twice. */
  @Test
  void aLateCopyOfAForwardedWriteReachingItsLeaderInALaterTermIsOfUnknownOutcome() {
    OneReplica a = new OneReplica("a", Set.of("a", "b", "c"), hs(1, ""), List.of(entry(1, 1)));
    a.campaignAndWin(List.of("b"));
    a.persistAll();
    ForwardedPropose fp = Messages.forwardedPropose("b", 2).proposal(78, ByteString.copyFromUtf8("w")).build();
    a.kit.run(fp);
    a.persistAll();
    a.kit.run(Messages.append("c", 3).build()); // c leads term 3 now
    a.persistAll();
    a.net.getAllReceived();
    a.kit.run(fp); // a copy from term 2: a led term 2 and appended the first
    a.persistAll();
    ForwardedProposeResult r = assertInstanceOf(ForwardedProposeResult.class, a.sent().get(0));
    assertEquals(ForwardedProposeResult.Outcome.UNKNOWN, r.outcome(), "never 'not leader' (retry-safe)");
  }

  @Test
  void aReplicaThatDidNotLeadAnEarlierTermRefusesItsForwardedWriteAsRetrySafe() {
    OneReplica b = new OneReplica("b", Set.of("a", "b", "c"), hs(2, "a"), List.of(entry(1, 2)));
    b.kit.run(Messages.append("c", 3).prev(1, 2).commit(1).build()); // b lives through term 3 as a follower
    b.persistAll();
    b.kit.run(Messages.append("a", 4).prev(1, 2).commit(1).build());
    b.persistAll();
    b.net.getAllReceived();
    b.kit.run(Messages.forwardedPropose("a", 3).proposal(6, ByteString.copyFromUtf8("w")).build());
    b.persistAll();
    ForwardedProposeResult r = assertInstanceOf(ForwardedProposeResult.class, b.sent().get(0));
    assertEquals(ForwardedProposeResult.Outcome.NOT_LEADER, r.outcome());
  }

  @Test
  void aFollowerThatWasNeverLeaderOfTheTermRefusesAForwardedWriteAsRetrySafe() {
    OneReplica b = new OneReplica("b", Set.of("a", "b", "c"), hs(2, "a"), List.of(entry(1, 2)));
    b.kit.run(Messages.forwardedPropose("c", 2).proposal(5, ByteString.copyFromUtf8("w")).build());
    b.persistAll();
    ForwardedProposeResult r = assertInstanceOf(ForwardedProposeResult.class, b.sent().get(0));
    assertEquals(ForwardedProposeResult.Outcome.NOT_LEADER, r.outcome());
  }

  @Test
  void aForwardedWriteAnsweredAfterTheNextTermReachedTheFollowerIsReportedCommitted() {
    OneReplica b = followerOfA("b");
    TestInbox<ProposeReply> client = TestInbox.create();
    b.kit.run(new ClientProtocol.Propose(ByteString.copyFromUtf8("w"), client.getRef()));
    ForwardedPropose fp = assertInstanceOf(ForwardedPropose.class, b.sent().get(0));
    // a handed leadership to c: c's RequestVote of term 3 overtakes a's answer to the write
    b.kit.run(Messages.vote("c", 3).last(1, 2).leadershipTransfer().build());
    b.persistAll();
    assertFalse(client.hasMessages(), "the write is not given up at once");
    b.kit.run(Messages.forwardedProposeResult("a", 2).proposal(fp.proposalId()).committed(2, ByteString.EMPTY).build());
    assertEquals(new Proposed(2, ByteString.EMPTY, "a"), client.receiveMessage());
  }

  @Test
  void aDuplicatedForwardedWriteIsAppendedOnce() {
    OneReplica a = new OneReplica("a", Set.of("a", "b", "c"), hs(1, ""), List.of(entry(1, 1)));
    a.campaignAndWin(List.of("b"));
    a.persistAll();
    long before = a.status().lastIndex();
    ForwardedPropose fp = Messages.forwardedPropose("b", 2).proposal(77, ByteString.copyFromUtf8("w")).build();
    a.kit.run(fp);
    a.kit.run(fp);
    assertEquals(before + 1, a.status().lastIndex());
    // another follower's id 77
    a.kit.run(Messages.forwardedPropose("c", 2).proposal(77, ByteString.copyFromUtf8("w")).build());
    assertEquals(before + 2, a.status().lastIndex());
  }
}
