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

/** A replica records each read it answers in its node's registry, as a histogram per policy. */
class ReadLatencyTest {
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

  /** Leader a of {a, b, c} in term 2, its no-op committed by b's acknowledgement. */
  private OneReplica leaderOfThree() {
    LogEntry put = LogEntry.newBuilder().setIndex(1).setTerm(1)
        .setCommand(KeyValueStateMachine.put("k", ByteString.copyFromUtf8("v"))).build();
    OneReplica a = new OneReplica("a", Set.of("a", "b", "c"), HardState.newBuilder().setTerm(1).build(), List.of(put),
        1, new ReadLatency(registry, "a", "g"));
    a.campaignAndWin(List.of("b"));
    a.persistAll();
    a.kit.run(Messages.appendResponse("b", 2).accepted(2).build());
    a.net.getAllReceived();
    return a;
  }

  private long count(ReadPolicy policy) {
    return registry.get("chronik.read.latency").tag("policy", policy.configName()).timer().count();
  }
}
