package io.chronik.raft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chronik.raft.api.grpc.PartitionStatus;
import io.chronik.raft.api.grpc.ReplicaStatus;
import io.chronik.raft.api.grpc.StatusResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTableTest {
  @Test
  void oneRowPerMemberWithTheConfigurationIndexALearnerAndAVoterThatIsLeaving() {
    PartitionStatus joint = PartitionStatus.newBuilder().setPartition("kv-0").setLeader("n1").setPreferredLeader("n1")
        .addAllVoters(List.of("n1", "n3", "n4/3")).addAllOutgoingVoters(List.of("n1", "n2", "n3"))
        .addLearners("n5/4").setConfigIndex(12).setConfigCommitted(false)
        .addReplicas(replica("n1", "n1", "leader", false))
        .addReplicas(replica("n2", "n2", "follower", false))
        .addReplicas(replica("n4", "n4/3", "follower", false))
        .addReplicas(replica("n5", "n5/4", "learner", true))
        .build();
    PartitionStatus files = PartitionStatus.newBuilder().setPartition("kv-1").setPreferredLeader("n2")
        .addAllVoters(List.of("n1", "n2", "n3")).setConfigIndex(0).setConfigCommitted(true)
        .addReplicas(ReplicaStatus.newBuilder().setNode("n2").setRole("unreachable"))
        .build();
    String table = StatusTable.of(StatusResponse.newBuilder().setNodeId("n1").addNodes("n1")
        .addPartitions(joint).addPartitions(files).build());
    assertEquals(List.of(
        "node n1 of [n1]",
        "partition    replica  leader   preferred config role              term  commit  applied   lag snapshot  state",
        "kv-0         n1       n1       n1          12j* leader               3      10        9     0        0  ",
        "kv-0         n2       n1       n1          12j* follower,leaving     3      10        9     0        0  ",
        "kv-0         n4/3     n1       n1          12j* follower             3      10        9     0        0  ",
        "kv-0         n5/4     n1       n1          12j* learner              3      10        9     0        0  ",
        "kv-1         n2       -        n2             0 unreachable          0       0        0     0        0  "),
        table.lines().toList());
  }

  private static ReplicaStatus replica(String node, String member, String role, boolean learner) {
    return ReplicaStatus.newBuilder().setNode(node).setMember(member).setRole(role).setLearner(learner).setTerm(3)
        .setCommitIndex(10).setAppliedIndex(9).build();
  }
}
