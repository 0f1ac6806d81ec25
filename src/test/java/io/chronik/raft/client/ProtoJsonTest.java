package io.chronik.raft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
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
        + "\"voters\":[],\"outgoingVoters\":[],\"learners\":[],\"configIndex\":0}],"
        + "\"preferredLeader\":\"\"}],\"nodeStates\":[]}", ProtoJson.print(s));
    assertEquals("{\"topic\":\"\",\"partition\":0,\"offset\":0,\"maxRecords\":0,\"maxBytes\":0,"
            + "\"readPolicy\":\"READ_POLICY_SAFE\",\"minIndex\":0}",
        ProtoJson.print(FetchRequest.newBuilder().setReadPolicy(ReadPolicy.READ_POLICY_SAFE).build()));
  }
}
