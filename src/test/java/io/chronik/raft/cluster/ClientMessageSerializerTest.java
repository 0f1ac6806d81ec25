package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.ClientProtocol;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.replica.ReadProtocol;
import io.chronik.raft.replica.ReplicaControl;
import java.io.NotSerializableException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Client requests to replicas and their answers round-trip through the protobuf serializer. */
class ClientMessageSerializerTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyRequestAndAnswerRoundTrips() {
    TestProbe<Object> probe = testKit.createTestProbe();
    ByteString bytes = ByteString.copyFromUtf8("q");
    List<Object> all = List.of(
        new ClientProtocol.Propose(bytes, probe.ref().narrow()),
        new ClientProtocol.LocalQuery(bytes, probe.ref().narrow()),
        new ClientProtocol.GetStatus(probe.ref().narrow()),
        new ReadProtocol.Read(bytes, Optional.of(ReadPolicy.SAFE), 7, probe.ref().narrow()),
        new ReadProtocol.Read(bytes, Optional.empty(), 0, probe.ref().narrow()),
        new ClientProtocol.Proposed(3, bytes),
        new ClientProtocol.Proposed(4, bytes, "n2"),
        new NodeHost.ForPartition("orders-0", new ClientProtocol.Propose(bytes, probe.ref().narrow())),
        new NodeHost.ForPartition("kv-0", new ReadProtocol.Read(bytes, Optional.empty(), 3, probe.ref().narrow())),
        new NodeHost.ForPartition("kv-0", new ReplicaControl.ChangeConfig(
            new io.chronik.raft.core.ChangeRequest.AddLearner("n4", "s-4"), probe.ref().narrow())),
        new ReplicaControl.ChangeConfig(new io.chronik.raft.core.ChangeRequest.Remove("n3"), probe.ref().narrow()),
        new ReplicaControl.ChangeConfig(new io.chronik.raft.core.ChangeRequest.Promote("n4/1"), probe.ref().narrow()),
        new ReplicaControl.ChangeConfig(new io.chronik.raft.core.ChangeRequest.Replace("n4/1", "n3"),
            probe.ref().narrow()),
        new ReplicaControl.ChangeConfig(new io.chronik.raft.core.ChangeRequest.LeaveJoint(), probe.ref().narrow()),
        new ClientProtocol.NotLeader("g", Optional.of("n2")),
        new ClientProtocol.NotLeader("g", Optional.empty()),
        new ClientProtocol.ProposalRejected("too big"),
        new ClientProtocol.OutcomeUnknown("lost leadership"),
        new ClientProtocol.QueryResult(bytes, 9),
        new ClientProtocol.Status("g", "n1", "leader", 4, Optional.of("n1"), 10, 10, 11),
        new ClientProtocol.Status("g", "n2", "follower", 4, Optional.of("n1"), 10, 9, 11, 7,
            java.util.Map.of("log_start_offset", 3L, "high_watermark", 40L), "",
            Optional.of(io.chronik.raft.core.Configuration.legacy(java.util.Set.of("n1", "n2", "n3"))
                .withLearner("n4", "s-4").enterJoint(java.util.Set.of("n1", "n2", "n4/1"), true)), 12),
        new ClientProtocol.Status("g", "n3", ClientProtocol.Status.FAULTED, 4, Optional.empty(), 10, 9, 11, 7,
            java.util.Map.of(), "applying entry 10 failed: No space left on device", Optional.empty(), 0),
        new ReplicaControl.ConfigChanged("g", io.chronik.raft.core.Configuration.legacy(java.util.Set.of("n1", "n2"))
            .withLearner("n4", "s-4"), 9),
        new ReplicaControl.ConfigChangeRefused("g", io.chronik.raft.core.MembershipRules.Refusal.FAILED_PRECONDITION,
            "the leader n1 does not remove itself", Optional.of("n2")),
        new ReplicaControl.ConfigChangeNotLeader("g", Optional.empty()),
        new ReplicaControl.ConfigChangeUnknown("g", "leadership changed"),
        new ReplicaControl.TransferLeadership("n2/3"),
        new ReadProtocol.ReadResult(bytes, 12, "n3", ReadPolicy.NONE),
        new ReadProtocol.NoLeader("g", Optional.of("n1")),
        new ReadProtocol.ReadTimeout("g", Duration.ofSeconds(5)),
        new ReadProtocol.RetryLater("g", "lagging", Optional.empty()),
        new ClientProtocol.UnknownPartition("x", Set.of("g", "h")));
    for (Object m : all) {
      Serializer serializer = serialization.findSerializerFor(m);
      assertInstanceOf(ClientMessageSerializer.class, serializer, m.getClass().getName());
      byte[] b = serialization.serialize(m).get();
      assertEquals(m, serialization.deserialize(b, serializer.identifier(), Serializers.manifestFor(serializer, m)).get());
    }
  }

  @Test
  void garbageIsRefused() throws Exception {
    Serializer s = serialization.serializerFor(ClientProtocol.Proposed.class);
    assertThrows(NotSerializableException.class,
        () -> ((ClientMessageSerializer) s).fromBinary(new byte[] {(byte) 0xff, (byte) 0xff}, "Proposed"));
    assertThrows(NotSerializableException.class, () -> ((ClientMessageSerializer) s).fromBinary(new byte[0], "Nope"));
    byte[] nested = io.chronik.raft.rpc.client.ForPartition.newBuilder().setGroupId("g").setManifest("ForPartition")
        .build().toByteArray();
    assertThrows(NotSerializableException.class, () -> ((ClientMessageSerializer) s).fromBinary(nested, "ForPartition"));
    byte[] reply = io.chronik.raft.rpc.client.ForPartition.newBuilder().setGroupId("g").setManifest("NotLeader")
        .build().toByteArray();
    assertThrows(NotSerializableException.class, () -> ((ClientMessageSerializer) s).fromBinary(reply, "ForPartition"),
        "a ForPartition must carry a request, not an answer");
  }
}
