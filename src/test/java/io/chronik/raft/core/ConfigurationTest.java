package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.rpc.GroupConfig;
import io.chronik.raft.rpc.Member;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Configuration} as a value; its invariants and the changes a leader makes step by step are
 * in the membership-rules transcripts ({@link MembershipRulesTranscriptTest}).
 */
class ConfigurationTest {
  private final Configuration joint = new Configuration(Set.of("1", "2", "4/5"), Set.of("1", "2", "3"),
      Set.of("6/6"), true, 7, Map.of("4/5", "s4", "6/6", "s6"));

  @Test
  void theConfigurationFilesImplyVotersOnTheLegacyStore() {
    Configuration legacy = Configuration.legacy(Set.of("node-2", "node-1", "node-3"));
    assertEquals(List.of("node-1", "node-2", "node-3"), List.copyOf(legacy.voters()), "kept sorted");
    assertFalse(legacy.joint());
    assertEquals(1, legacy.nextReplicaId(), "the files' voters are replica 0");
    assertEquals(Configuration.LEGACY_STORE, legacy.store("node-2"));
    assertEquals("voters=(node-1 node-2 node-3) next=1", legacy.toString());
  }

  @Test
  void votersOfEitherHalfVoteLearnersOnlyReplicate() {
    assertTrue(joint.isVoter("3"), "outgoing");
    assertTrue(joint.isVoter("4/5"), "incoming");
    assertFalse(joint.isVoter("6/6"));
    assertTrue(joint.isLearner("6/6"));
    assertTrue(joint.isMember("6/6"));
    assertFalse(joint.isMember("7/7"));
    assertEquals(List.of("1", "3", "4/5", "6/6"), List.copyOf(joint.replicationTargets("2")));
    Quorum quorum = joint.quorum();
    assertEquals(Set.of("1", "2", "4/5"), quorum.incoming());
    assertEquals(Set.of("1", "2", "3"), quorum.outgoing());
    assertFalse(quorum.isVoter("6/6"), "a learner is in no majority");
  }

  @Test
  void memberIdsNameTheNodeAndTheReplica() {
    assertEquals("node-3/7", Configuration.memberId("node-3", 7));
    assertEquals("node-3", Configuration.nodeOf("node-3/7"));
    assertEquals(7, Configuration.replicaIdOf("node-3/7"));
    assertEquals("node-3", Configuration.nodeOf("node-3"));
    assertEquals(0, Configuration.replicaIdOf("node-3"), "a bare node id is the legacy replica 0");
  }

  @Test
  void aNewLearnerTakesTheNextReplicaIdAndItsStore() {
    Configuration added = Configuration.legacy(Set.of("1", "2")).withLearner("3", "s3");
    assertEquals(Set.of("3/1"), added.learners());
    assertEquals(2, added.nextReplicaId());
    assertEquals("s3", added.store("3/1"));
    Configuration removed = added.withoutLearner("3/1");
    assertEquals(Map.of(), removed.stores(), "a removed member's store goes with it");
    assertEquals(2, removed.nextReplicaId(), "its replica id is never given out again");
    assertThrows(IllegalArgumentException.class, () -> removed.withoutLearner("1"));
  }

  @Test
  void enteringJointMakesTheVotersTheOutgoingHalfAndLeavingDropsThem() {
    Configuration simple = new Configuration(Set.of("1", "2", "3"), Set.of(), Set.of("4/1"), false, 2,
        Map.of("4/1", "s4"));
    Configuration entered = simple.enterJoint(Set.of("1", "2", "4/1"), true);
    assertEquals(Set.of("1", "2", "4/1"), entered.voters());
    assertEquals(Set.of("1", "2", "3"), entered.outgoing());
    assertEquals(Set.of(), entered.learners(), "the promoted learner is a learner no more");
    assertTrue(entered.autoLeave());
    assertThrows(IllegalArgumentException.class, () -> entered.enterJoint(Set.of("1"), true),
        "etcd: config is already joint");
    Configuration left = entered.leaveJoint();
    assertEquals(new Configuration(Set.of("1", "2", "4/1"), Set.of(), Set.of(), false, 2, Map.of("4/1", "s4")), left);
    assertThrows(IllegalArgumentException.class, left::leaveJoint, "etcd: can't leave a non-joint config");
  }

  @Test
  void leavingJointForgetsTheStoresOfTheOutgoingOnlyVoters() {
    Configuration withStores = new Configuration(Set.of("1/1", "2/2"), Set.of("1/1", "2/2", "3/3"), Set.of(), true, 4,
        Map.of("1/1", "s1", "2/2", "s2", "3/3", "s3"));
    assertEquals(Map.of("1/1", "s1", "2/2", "s2"), withStores.leaveJoint().stores());
  }

  @Test
  void theWireFormHoldsEveryMemberWithItsNodeAndStore() {
    GroupConfig proto = joint.toProto();
    assertEquals(Member.newBuilder().setId("4/5").setNode("4").setStore("s4").build(), proto.getVoters(2));
    assertEquals(Member.newBuilder().setId("3").setNode("3").setStore(Configuration.LEGACY_STORE).build(),
        proto.getVotersOutgoing(2));
    assertEquals(1, proto.getLearnersCount());
    assertTrue(proto.getAutoLeave());
    assertEquals(7, proto.getNextReplicaId());
    assertEquals(joint, Configuration.fromProto(proto));
    Configuration legacy = Configuration.legacy(Set.of("a", "b", "c"));
    assertEquals(legacy, Configuration.fromProto(legacy.toProto()));
  }

  @Test
  void aWireFormThatContradictsItselfIsRefused() {
    GroupConfig wrongNode = GroupConfig.newBuilder().setNextReplicaId(2)
        .addVoters(Member.newBuilder().setId("1/1").setNode("2").setStore("s")).build();
    assertEquals("member 1/1 names node 2",
        assertThrows(IllegalArgumentException.class, () -> Configuration.fromProto(wrongNode)).getMessage());
    GroupConfig twoStores = GroupConfig.newBuilder().setNextReplicaId(2).setAutoLeave(true)
        .addVoters(Member.newBuilder().setId("1/1").setNode("1").setStore("s"))
        .addVotersOutgoing(Member.newBuilder().setId("1/1").setNode("1").setStore("t")).build();
    assertThrows(IllegalArgumentException.class, () -> Configuration.fromProto(twoStores));
    GroupConfig noVoters = GroupConfig.newBuilder().setNextReplicaId(2)
        .addLearners(Member.newBuilder().setId("1/1").setNode("1").setStore("s")).build();
    assertThrows(IllegalArgumentException.class, () -> Configuration.fromProto(noVoters));
  }

  @Test
  void aNonMemberHasNoStore() {
    assertThrows(IllegalArgumentException.class, () -> joint.store("9"));
  }
}
