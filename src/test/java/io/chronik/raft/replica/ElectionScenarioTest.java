package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestInbox;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.ClientProtocol.OutcomeUnknown;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import org.junit.jupiter.api.Test;

/**
 * Scripted scenarios on the simulated group (real behaviours, virtual time, reliable network
 * unless the script cuts it). Election timeout is 300 ms, heartbeat 50 ms.
 */
class ElectionScenarioTest {
  private static ByteString put(String key, String value) {
    return KeyValueStateMachine.put(key, ByteString.copyFromUtf8(value));
  }

  private static String electedLeader(SimulatedGroup g) {
    return g.leader().orElseThrow(() -> new AssertionError("no leader elected"));
  }

  @Test
  void aGroupElectsOneLeaderWhoseProposalsCommitEverywhere() {
    SimulatedGroup g = SimulatedGroup.scripted(1, 3).startAll();
    g.runFor(2_000);
    String leader = electedLeader(g);
    TestInbox<ProposeReply> reply = g.propose(leader, put("k", "v1"));
    g.runFor(200);
    Proposed proposed = assertInstanceOf(Proposed.class, reply.receiveMessage());
    for (String id : g.ids()) {
      Status s = g.statusOf(id);
      assertEquals(proposed.index(), s.appliedIndex(), id + " applied the proposal");
      assertEquals(java.util.Optional.of(leader), s.leader(), id + " knows the leader");
    }
  }

  @Test
  void proposalToACandidateIsAnsweredAtOnceWithNotLeader() {
    SimulatedGroup g = SimulatedGroup.scripted(2, 3).startAll();
    g.runFor(2_000);
    String leader = electedLeader(g);
    String follower = g.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    g.isolate(follower);
    g.runFor(1_000); // it pre-campaigns
    ProposeReply reply = g.propose(follower, put("k", "v")).receiveMessage();
    assertInstanceOf(ClientProtocol.NotLeader.class, reply);
  }

  @Test
  void preVoteKeepsAPartitionedFollowerFromDisruptingTheLeader() {
    SimulatedGroup g = SimulatedGroup.scripted(3, 3).startAll();
    g.runFor(2_000);
    String leader = electedLeader(g);
    long term = g.statusOf(leader).term();
    String follower = g.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    g.isolate(follower);
    g.runFor(5_000); // many election timeouts: it pre-campaigns, never wins a pre-vote
    assertEquals(term, g.statusOf(follower).term(), "a pre-candidate does not raise its term");
    g.healNetwork();
    g.runFor(1_000);
    assertEquals(leader, electedLeader(g), "the healthy leader keeps its leadership");
    assertEquals(term, g.statusOf(leader).term(), "and its term");
  }

  @Test
  void checkQuorumMakesAnIsolatedLeaderStepDownWhileTheMajorityMovesOn() {
    SimulatedGroup g = SimulatedGroup.scripted(4, 3).startAll();
    g.runFor(2_000);
    String old = electedLeader(g);
    long oldTerm = g.statusOf(old).term();
    g.isolate(old);
    TestInbox<ProposeReply> stranded = g.propose(old, put("k", "lost?"));
    g.runFor(2_000);
    assertNotEquals("leader", g.statusOf(old).role(), "an isolated leader steps down (CheckQuorum)");
    String fresh = electedLeader(g);
    assertNotEquals(old, fresh);
    assertTrue(g.statusOf(fresh).term() > oldTerm);
    TestInbox<ProposeReply> accepted = g.propose(fresh, put("k", "majority"));
    g.runFor(300);
    assertInstanceOf(Proposed.class, accepted.receiveMessage(), "the majority side accepts writes");
    assertInstanceOf(OutcomeUnknown.class, stranded.receiveMessage(),
        "the proposal stranded on the old leader is answered when it steps down");

    // Raft §5.3: after healing, the old leader's uncommitted entry is truncated and replaced.
    g.healNetwork();
    g.runFor(1_000);
    Status oldStatus = g.statusOf(old);
    Status freshStatus = g.statusOf(fresh);
    assertEquals(freshStatus.lastIndex(), oldStatus.lastIndex(), "logs converge");
    assertEquals(g.appliedBy(fresh), g.appliedBy(old), "the same commands at the same indexes");
  }

  @Test
  void aCrashedReplicaRestartsFromItsDiskAndCatchesUp() {
    SimulatedGroup g = SimulatedGroup.scripted(5, 3).startAll();
    g.runFor(2_000);
    String leader = electedLeader(g);
    String follower = g.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    g.propose(leader, put("a", "1"));
    g.runFor(200);
    long termBefore = g.statusOf(follower).term();
    g.crashNow(follower);
    TestInbox<ProposeReply> whileDown = g.propose(leader, put("b", "2"));
    g.runFor(200);
    Proposed p = assertInstanceOf(Proposed.class, whileDown.receiveMessage(), "two of three still commit");
    g.restart(follower);
    g.runFor(1_000);
    Status s = g.statusOf(follower);
    assertEquals(termBefore, s.term(), "term recovered from disk");
    assertTrue(s.appliedIndex() >= p.index(), "caught up with what committed while it was down");
    assertEquals(g.appliedBy(leader), g.appliedBy(follower));
  }

  @Test
  void aFiveReplicaGroupToleratesTwoCrashes() {
    SimulatedGroup g = SimulatedGroup.scripted(6, 5).startAll();
    g.runFor(2_000);
    String leader = electedLeader(g);
    g.crashNow(leader);
    String other = g.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    g.crashNow(other);
    g.runFor(2_000);
    String fresh = electedLeader(g);
    TestInbox<ProposeReply> reply = g.propose(fresh, put("k", "v"));
    g.runFor(300);
    assertInstanceOf(Proposed.class, reply.receiveMessage());
  }
}
