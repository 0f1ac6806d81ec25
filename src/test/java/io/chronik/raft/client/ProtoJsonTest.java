package io.chronik.raft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
import io.chronik.raft.api.grpc.NodeChangeDone;
import io.chronik.raft.api.grpc.NodeChangeProgress;
import io.chronik.raft.api.grpc.NodeInfo;
import io.chronik.raft.api.grpc.PartitionStatus;
import io.chronik.raft.api.grpc.ReadPolicy;
import io.chronik.raft.api.grpc.ReplicaStatus;
import io.chronik.raft.api.grpc.StatusResponse;
import org.junit.jupiter.api.Test;

class ProtoJsonTest {
  @Test
  void everyFieldInLowerCamelCaseWithBytesInBase64() {
    FetchResponse r = FetchResponse.newBuilder().addRecords(ByteString.copyFromUtf8("a"))
        .addRecords(ByteString.copyFrom(new byte[] {(byte) 0xff, 0})).setHighWatermark(2).setServedBy("n1").build();
    assertEquals("{\"records\":[\"YQ==\",\"/wA=\"],\"firstOffset\":0,\"highWatermark\":2,\"servedBy\":\"n1\","
        + "\"appliedIndex\":0,\"logStartOffset\":0}", ProtoJson.print(r));
  }

  @Test
  void nestedMessagesMapsEnumsAndEscapes() {
    StatusResponse s = StatusResponse.newBuilder().setNodeId("a\"b\\c\n\u0001").addPartitions(
        PartitionStatus.newBuilder().setPartition("p-0").addReplicas(
            ReplicaStatus.newBuilder().setNode("n1").putStateMachine("keys", 3))).build();
    assertEquals("{\"nodeId\":\"a\\\"b\\\\c\\n\\u0001\",\"nodes\":[],\"partitions\":[{\"partition\":\"p-0\","
        + "\"leader\":\"\",\"replicas\":[{\"node\":\"n1\",\"role\":\"\",\"term\":0,\"commitIndex\":0,"
        + "\"appliedIndex\":0,\"lastIndex\":0,\"lag\":0,\"snapshotIndex\":0,\"stateMachine\":{\"keys\":3},\"fault\":\"\","
        + "\"voters\":[],\"outgoingVoters\":[],\"learners\":[],\"configIndex\":0,\"member\":\"\",\"learner\":false}],"
        + "\"preferredLeader\":\"\",\"voters\":[],\"outgoingVoters\":[],\"learners\":[],\"configIndex\":0,"
        + "\"configCommitted\":false}],\"nodeStates\":[],\"clusterId\":\"\"}", ProtoJson.print(s));
    assertEquals("{\"topic\":\"\",\"partition\":0,\"offset\":0,\"maxRecords\":0,\"maxBytes\":0,"
            + "\"readPolicy\":\"READ_POLICY_SAFE\",\"minIndex\":0}",
        ProtoJson.print(FetchRequest.newBuilder().setReadPolicy(ReadPolicy.READ_POLICY_SAFE).build()));
  }

  @Test
  void ofAOneofOnlyTheAlternativeSetIsWritten() {
    assertEquals("{\"step\":\"kv-0: starting\"}",
        ProtoJson.print(NodeChangeProgress.newBuilder().setStep("kv-0: starting").build()));
    assertEquals("{\"done\":{\"node\":\"n4\",\"moves\":[\"kv-0: n1 -> n4\"],\"after\":{\"node\":\"n4\","
            + "\"answering\":true,\"store\":\"\",\"voters\":1,\"learners\":0,\"leaders\":0,\"lost\":0,"
            + "\"grpcAddress\":\"\"}}}",
        ProtoJson.print(NodeChangeProgress.newBuilder().setDone(NodeChangeDone.newBuilder().setNode("n4")
            .addMoves("kv-0: n1 -> n4").setAfter(NodeInfo.newBuilder().setNode("n4").setAnswering(true).setVoters(1)))
            .build()));
  }
}
