package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestInbox;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ReadProtocol.ReadReply;
import io.chronik.raft.replica.ReadProtocol.ReadResult;
import io.chronik.raft.statemachine.KeyValueStateMachine;
import java.util.Optional;
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
}
