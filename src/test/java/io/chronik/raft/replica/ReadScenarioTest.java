package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestInbox;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ReadProtocol.ReadReply;
import io.chronik.raft.replica.ReadProtocol.ReadResult;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import org.junit.jupiter.api.Test;

/** ReadIndex scenarios on the simulated group (virtual time; election 300 ms, heartbeat 50 ms). */
class ReadScenarioTest {
  private static String leaderOf(SimulatedGroup g) {
    return g.leader().orElseThrow(() -> new AssertionError("no leader"));
  }

  private static String aFollower(SimulatedGroup g, String leader) {
    return g.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  @Test
  void aFollowerServesASafeReadOfTheLatestWriteWithinAFewRoundTrips() {
    SimulatedGroup g = SimulatedGroup.scripted(11, 3).startAll();
    g.runFor(2_000);
    String leader = leaderOf(g);
    TestInbox<ClientProtocol.ProposeReply> w = g.propose(leader, KeyValueStateMachine.put("k", ByteString.copyFromUtf8("v")));
    g.runFor(30);
    assertInstanceOf(Proposed.class, w.receiveMessage());
    String follower = aFollower(g, leader);
    TestInbox<ReadReply> r = g.read(follower, KeyValueStateMachine.get("k"), ReadPolicy.SAFE);
    g.runFor(40);
    ReadResult result = assertInstanceOf(ReadResult.class, r.receiveMessage(), "served within 40 ms of virtual time");
    assertEquals(follower, result.servedBy());
    assertEquals("v", KeyValueStateMachine.result(result.result()).getValue().toStringUtf8());
  }

  @Test
  void aLeaderCutOffFromItsQuorumServesNoReadWhileTheMajorityMovesOn() {
    SimulatedGroup g = SimulatedGroup.scripted(12, 3).startAll();
    g.runFor(2_000);
    String old = leaderOf(g);
    TestInbox<ClientProtocol.ProposeReply> w = g.propose(old, KeyValueStateMachine.put("k", ByteString.copyFromUtf8("v1")));
    g.runFor(50);
    assertInstanceOf(Proposed.class, w.receiveMessage());

    g.isolate(old);
    TestInbox<ReadReply> stale = g.read(old, KeyValueStateMachine.get("k"), ReadPolicy.SAFE);
    g.runFor(1_500);
    String fresh = leaderOf(g);
    TestInbox<ClientProtocol.ProposeReply> w2 = g.propose(fresh, KeyValueStateMachine.put("k", ByteString.copyFromUtf8("v2")));
    g.runFor(50);
    assertInstanceOf(Proposed.class, w2.receiveMessage(), "the majority side accepts writes");
    ReadReply r = stale.receiveMessage();
    assertTrue(!(r instanceof ReadResult), "the cut-off leader must not serve the read, got " + r);

    TestInbox<ReadReply> onMajority = g.read(aFollower(g, fresh).equals(old) ? fresh : aFollower(g, fresh),
        KeyValueStateMachine.get("k"), ReadPolicy.SAFE);
    g.runFor(100);
    ReadResult served = assertInstanceOf(ReadResult.class, onMajority.receiveMessage());
    assertEquals("v2", KeyValueStateMachine.result(served.result()).getValue().toStringUtf8());
  }

  @Test
  void forwardedReadsAreServedByTheLeader() {
    SimulatedGroup g = SimulatedGroup.scripted(13, 3).startAll();
    g.runFor(2_000);
    String leader = leaderOf(g);
    g.propose(leader, KeyValueStateMachine.put("k", ByteString.copyFromUtf8("v")));
    g.runFor(50);
    TestInbox<ReadReply> r = g.read(aFollower(g, leader), KeyValueStateMachine.get("k"), ReadPolicy.NONE);
    g.runFor(50);
    ReadResult result = assertInstanceOf(ReadResult.class, r.receiveMessage());
    assertEquals(leader, result.servedBy());
    assertEquals(ReadPolicy.NONE, result.policy());
  }
}
