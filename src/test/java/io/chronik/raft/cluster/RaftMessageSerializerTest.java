package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.google.protobuf.ByteString;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.replica.AppendEntries;
import io.chronik.raft.replica.AppendEntriesResponse;
import io.chronik.raft.replica.ForwardedPropose;
import io.chronik.raft.replica.ForwardedProposeResult;
import io.chronik.raft.replica.ForwardedRead;
import io.chronik.raft.replica.ForwardedReadResult;
import io.chronik.raft.replica.RaftMessage;
import io.chronik.raft.replica.ReadIndexRequest;
import io.chronik.raft.replica.ReadIndexResponse;
import io.chronik.raft.replica.RequestVote;
import io.chronik.raft.replica.RequestVoteResponse;
import io.chronik.raft.replica.TimeoutNow;
import io.chronik.raft.rpc.EntryKind;
import io.chronik.raft.rpc.LogEntry;
import java.io.NotSerializableException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every replica message crosses nodes as protobuf through the registered serializer, and back unchanged. */
class RaftMessageSerializerTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A joint configuration with every part set: learners, stores (one legacy), autoLeave, the next replica id. */
  private static final Configuration JOINT = new Configuration(Set.of("node-1", "node-4/7", "node-5/8"),
      Set.of("node-1", "node-2", "node-3"), Set.of("node-6/9"), true, 10,
      Map.of("node-4/7", "store-b", "node-5/8", "store-c", "node-6/9", "store-d"));

  private static final List<RaftMessage> ALL = List.of(
      new RequestVote("orders-0", 7, "node-1", 42, 6, true),
      new RequestVote("orders-0", 8, "node-2", 42, 6, false, true),
      new RequestVoteResponse("orders-0", 7, "node-2", true, false),
      new AppendEntries("orders-0", 7, "node-1", 41, 6, List.of(
          LogEntry.newBuilder().setIndex(42).setTerm(7).setKind(EntryKind.ENTRY_KIND_NOOP).build(),
          LogEntry.newBuilder().setIndex(43).setTerm(7).setCommand(ByteString.copyFromUtf8("ünïcode")).build()),
          40, 3),
      new AppendEntriesResponse("orders-0", 7, "node-3", false, 0, 41, 12, 5, 3),
      new ReadIndexRequest("orders-0", 7, "node-2", 99),
      new ReadIndexResponse("orders-0", 7, "node-1", 99, true, 43),
      new ForwardedRead("orders-0", 7, "node-2", 5, ByteString.copyFrom(new byte[] {0, 1, 2}), 17),
      new ForwardedReadResult("orders-0", 7, "node-1", 5, true, ByteString.copyFromUtf8("r"), 43),
      new TimeoutNow("orders-0", 7, "node-1"),
      new io.chronik.raft.replica.InstallSnapshot("orders-0", 7, "node-1", 5000, 6, 131072,
          ByteString.copyFrom(new byte[] {9, 8, 7}), 131075, 3, 0xF00DCAFEL),
      new io.chronik.raft.replica.InstallSnapshot("orders-0", 7, "node-1", 5000, 6, 0, ByteString.EMPTY, 131075, 0,
          io.chronik.raft.snapshot.SnapshotReceiver.NO_CHECKSUM), // as a leader of an earlier version sends it
      new io.chronik.raft.replica.InstallSnapshot("orders-0", 7, "node-1", 5000, 6, 0, ByteString.copyFromUtf8("s"),
          131075, 4, 0x1234L, Optional.of(JOINT), 4990),
      new io.chronik.raft.replica.InstallSnapshotResponse("orders-0", 7, "node-2", 5000, 6, 131075, true, 3),
      new ForwardedPropose("orders-0", 7, "node-2", -4_611_686_018_427_387_904L, ByteString.copyFromUtf8("w")),
      new ForwardedProposeResult("orders-0", 7, "node-1", 12, ForwardedProposeResult.Outcome.COMMITTED, 44,
          ByteString.copyFromUtf8("ok"), ""),
      new ForwardedProposeResult("orders-0", 8, "node-1", 13, ForwardedProposeResult.Outcome.UNKNOWN, 0,
          ByteString.EMPTY, "leadership lost"));

  @Test
  void everyReplicaMessageRoundTripsThroughTheProtobufSerializer() {
    for (RaftMessage m : ALL) {
      Serializer serializer = serialization.findSerializerFor(m);
      assertInstanceOf(RaftMessageSerializer.class, serializer, m.getClass().getSimpleName());
      byte[] bytes = serialization.serialize(m).get();
      Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, m)).get();
      assertEquals(m, back);
    }
  }

  @Test
  void aPeerEnvelopeCarriesTheMessageAndTheSendersHost() {
    akka.actor.typed.ActorRef<NodeHost.Message> host = testKit.createTestProbe(NodeHost.Message.class).getRef();
    for (RaftMessage m : ALL) {
      NodeHost.FromPeer envelope = new NodeHost.FromPeer(m, host);
      Serializer serializer = serialization.findSerializerFor(envelope);
      assertInstanceOf(RaftMessageSerializer.class, serializer);
      byte[] bytes = serialization.serialize(envelope).get();
      Object back = serialization.deserialize(bytes, serializer.identifier(),
          Serializers.manifestFor(serializer, envelope)).get();
      assertEquals(envelope, back);
    }
  }

  @Test
  void malformedBytesAreRefusedNotPassedOn() {
    RaftMessageSerializer s = new RaftMessageSerializer((akka.actor.ExtendedActorSystem) testKit.system().classicSystem());
    assertThrows(NotSerializableException.class, () -> s.fromBinary(new byte[] {(byte) 0xff, (byte) 0xff, 0x01}, "AE"));
    NotSerializableException unknown = assertThrows(NotSerializableException.class, () -> s.fromBinary(new byte[0], "ZZ"));
    assertEquals(true, unknown.getMessage().contains("ZZ"));
    byte[] nested = io.chronik.raft.rpc.PeerEnvelope.newBuilder().setManifest("PEER").build().toByteArray();
    assertThrows(NotSerializableException.class, () -> s.fromBinary(nested, "PEER"));
  }

  @Test
  void aSnapshotChunkWithoutAConfigurationCarriesNoneAndABrokenOneIsRefused() throws NotSerializableException {
    RaftMessageSerializer s = new RaftMessageSerializer((akka.actor.ExtendedActorSystem) testKit.system().classicSystem());
    io.chronik.raft.replica.InstallSnapshot withConfig = (io.chronik.raft.replica.InstallSnapshot) ALL.stream()
        .filter(m -> m instanceof io.chronik.raft.replica.InstallSnapshot i && i.config().isPresent())
        .findFirst().orElseThrow();
    io.chronik.raft.rpc.InstallSnapshot wire = (io.chronik.raft.rpc.InstallSnapshot) RaftWireFormat.toProto(withConfig);
    assertEquals(JOINT.toProto(), wire.getConfig());
    assertEquals(4990, wire.getConfigIndex());

    io.chronik.raft.replica.InstallSnapshot none = RaftWireFormat.fromProto(wire.toBuilder().clearConfig()
        .clearConfigIndex().build());
    assertEquals(Optional.empty(), none.config(), "an absent field is no configuration");
    assertEquals(0, none.configIndex());

    String manifest = s.manifest(withConfig);
    byte[] learnerAndVoter = wire.toBuilder().setConfig(wire.getConfig().toBuilder()
        .addLearners(wire.getConfig().getVoters(0))).build().toByteArray();
    assertThrows(NotSerializableException.class, () -> s.fromBinary(learnerAndVoter, manifest));
    byte[] indexPastTheSnapshot = wire.toBuilder().setConfigIndex(5001).build().toByteArray();
    assertThrows(NotSerializableException.class, () -> s.fromBinary(indexPastTheSnapshot, manifest));
  }
}
