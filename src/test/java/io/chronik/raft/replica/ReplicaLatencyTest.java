package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestInbox;
import com.google.protobuf.ByteString;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A replica records each read it answers, and each stage of a write, in its node's registry as histograms. */
class ReplicaLatencyTest {
  private static final String SAFE = "{node=\"a\",partition=\"g\",policy=\"safe\"";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void aServedReadShowsAsHistogramBucketsOfItsPolicy() {
    OneReplica a = leaderOfThree();
    TestInbox<ReadProtocol.ReadReply> reply = a.read(ReadPolicy.SAFE, 0);
    assertEquals(0, count(ReadPolicy.SAFE), "not before it is answered");
    a.kit.run(Messages.appendResponse("c", 2).accepted(2).seq(1).build()); // the ReadIndex round's quorum
    assertInstanceOf(ReadProtocol.ReadResult.class, reply.receiveMessage());

    assertEquals(1, count(ReadPolicy.SAFE));
    assertEquals(0, count(ReadPolicy.UNSAFE));
    String text = registry.scrape();
    assertTrue(text.contains("chronik_read_latency_seconds_count" + SAFE + "} 1"), text);
    String bucket = "chronik_read_latency_seconds_bucket" + SAFE;
    assertTrue(text.contains(bucket + ",le=\"1.0E-4\"}"), text);
    assertTrue(text.contains(bucket + ",le=\"10.0\"} 1"), text);
    assertTrue(text.contains(bucket + ",le=\"+Inf\"} 1"), text);
  }

  @Test
  void aWriteShowsItsStagesOnTheLeaderEachWhenItEnds() {
    OneReplica a = leaderOfThree();
    long storageBefore = count(ReplicaLatency.WriteStage.STORAGE);
    TestInbox<ClientProtocol.ProposeReply> client = TestInbox.create();
    a.kit.run(new ClientProtocol.Propose(KeyValueStateMachine.put("k", ByteString.copyFromUtf8("w")), client.getRef()));
    assertEquals(0, count(ReplicaLatency.WriteStage.LEADER_DURABLE), "not before its write is durable");

    a.persistAll();
    assertEquals(storageBefore + 1, count(ReplicaLatency.WriteStage.STORAGE));
    assertEquals(1, count(ReplicaLatency.WriteStage.LEADER_DURABLE));
    assertEquals(0, count(ReplicaLatency.WriteStage.COMMITTED), "not before a majority holds it");
    assertTrue(!client.hasMessages());

    a.kit.run(Messages.appendResponse("b", 2).accepted(3).build());
    assertInstanceOf(ClientProtocol.Proposed.class, client.receiveMessage());
    assertEquals(1, count(ReplicaLatency.WriteStage.COMMITTED));
    assertEquals(1, count(ReplicaLatency.WriteStage.LEADER_DURABLE), "each proposal counted once");
    assertTrue(registry.scrape().contains(
        "chronik_write_stage_seconds_count{node=\"a\",partition=\"g\",stage=\"committed\"} 1"), registry.scrape());
  }

  @Test
  void aLeaderWriteSlowerThanTwoFollowersIsStillTimed() {
    OneReplica a = leaderOfThree();
    TestInbox<ClientProtocol.ProposeReply> client = TestInbox.create();
    a.kit.run(new ClientProtocol.Propose(KeyValueStateMachine.put("k", ByteString.copyFromUtf8("w")), client.getRef()));
    // b and c are a majority of three without a: the entry commits before a's own write is done.
    a.kit.run(Messages.appendResponse("b", 2).accepted(3).build());
    a.kit.run(Messages.appendResponse("c", 2).accepted(3).build());
    assertInstanceOf(ClientProtocol.Proposed.class, client.receiveMessage());
    assertEquals(1, count(ReplicaLatency.WriteStage.COMMITTED));
    assertEquals(0, count(ReplicaLatency.WriteStage.LEADER_DURABLE));

    a.persistAll();
    assertEquals(1, count(ReplicaLatency.WriteStage.LEADER_DURABLE), "timed when it ends, after the commit");
  }

  @Test
  void aFollowerCountsAnAppendCarryingEntriesWhenItAcknowledgesIt() {
    OneReplica b = new OneReplica("b", Set.of("a", "b", "c"), HardState.newBuilder().setTerm(1).build(), List.of(),
        1, new ReplicaLatency(registry, "b", "g"));
    b.kit.run(Messages.append("a", 1).build()); // a heartbeat: nothing to time
    b.persistAll();
    b.sent();
    b.kit.run(Messages.append("a", 1).entriesOfTerm(1, 2).build());
    assertEquals(0, count(ReplicaLatency.WriteStage.FOLLOWER_APPEND), "not before its entries are durable");
    assertTrue(b.sent().stream().noneMatch(m -> m instanceof AppendEntriesResponse r && r.success()),
        "no acknowledgement before the entries are durable");
    b.persistAll();
    assertEquals(1, count(ReplicaLatency.WriteStage.FOLLOWER_APPEND));
    assertTrue(b.sent().stream().anyMatch(m -> m instanceof AppendEntriesResponse r && r.success() && r.matchIndex() == 2),
        "the acknowledgement went out with it");
    // The same entries again (a resend), already durable: acknowledged at once, nothing to time.
    b.kit.run(Messages.append("a", 1).entriesOfTerm(1, 2).build());
    assertTrue(b.sent().stream().anyMatch(m -> m instanceof AppendEntriesResponse r && r.success() && r.matchIndex() == 2));
    assertEquals(1, count(ReplicaLatency.WriteStage.FOLLOWER_APPEND));
  }

  /** Leader a of {a, b, c} in term 2, its no-op committed by b's acknowledgement. */
  private OneReplica leaderOfThree() {
    LogEntry put = LogEntry.newBuilder().setIndex(1).setTerm(1)
        .setCommand(KeyValueStateMachine.put("k", ByteString.copyFromUtf8("v"))).build();
    OneReplica a = new OneReplica("a", Set.of("a", "b", "c"), HardState.newBuilder().setTerm(1).build(), List.of(put),
        1, new ReplicaLatency(registry, "a", "g"));
    a.campaignAndWin(List.of("b"));
    a.persistAll();
    a.kit.run(Messages.appendResponse("b", 2).accepted(2).build());
    a.net.getAllReceived();
    return a;
  }

  private long count(ReplicaLatency.WriteStage stage) {
    return registry.get("chronik.write.stage").tag("stage", stage.tag()).timers().stream().mapToLong(t -> t.count()).sum();
  }

  private long count(ReadPolicy policy) {
    return registry.get("chronik.read.latency").tag("policy", policy.configName()).timer().count();
  }
}
