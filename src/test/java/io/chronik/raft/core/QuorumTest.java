package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.Quorum.VoteResult;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuorumTest {
  private final Quorum three = new Quorum(Set.of("a", "b", "c"));
  private final Quorum five = new Quorum(Set.of("a", "b", "c", "d", "e"));

  @Test
  void majorities() {
    assertEquals(2, three.majority());
    assertEquals(3, five.majority());
    assertEquals(1, new Quorum(Set.of("a")).majority());
  }

  @Test
  void voteResultCountsVotersOnly() {
    assertEquals(VoteResult.PENDING, three.voteResult(Map.of("a", true)));
    assertEquals(VoteResult.WON, three.voteResult(Map.of("a", true, "b", true)));
    assertEquals(VoteResult.LOST, three.voteResult(Map.of("a", true, "b", false, "c", false)));
    assertEquals(VoteResult.PENDING, three.voteResult(Map.of("a", true, "x", true, "y", true)),
        "votes from non-voters never count");
    assertEquals(VoteResult.LOST, five.voteResult(Map.of("b", false, "c", false, "d", false)));
    assertEquals(VoteResult.PENDING, five.voteResult(Map.of("a", true, "b", false, "c", false)));
  }

  @Test
  void committedIndexIsTheMajorityMatchedIndex() {
    assertEquals(5, three.committedIndex(Map.of("a", 7L, "b", 5L, "c", 1L)));
    assertEquals(0, three.committedIndex(Map.of("a", 7L)), "absent voters count as 0");
    assertEquals(4, five.committedIndex(Map.of("a", 9L, "b", 4L, "c", 4L, "d", 2L, "e", 0L)));
    assertEquals(2, three.committedIndex(Map.of("a", 2L, "b", 2L, "c", 2L, "x", 100L, "y", 100L)),
        "a non-voter's match index is ignored");
  }

  @Test
  void isMajorityIgnoresStrangers() {
    assertTrue(three.isMajority(Set.of("a", "c")));
    assertFalse(three.isMajority(Set.of("a", "x", "y")));
  }

  // ---------------------------------------------------------------- joint (etcd's cases: QuorumTranscriptTest)

  private final Quorum joint = new Quorum(Set.of("a", "b", "d"), Set.of("a", "b", "c"));

  @Test
  void aJointQuorumNeedsAMajorityOfEachHalf() {
    assertTrue(joint.isMajority(Set.of("a", "b")));
    assertFalse(joint.isMajority(Set.of("b", "d")), "a majority of the incoming half only");
    assertFalse(joint.isMajority(Set.of("b", "c", "x")), "a majority of the outgoing half only");
    assertTrue(joint.isMajority(Set.of("a", "c", "d")), "a, d of the incoming half and a, c of the outgoing one");
  }

  @Test
  void aJointQuorumsVotersAreBothHalves() {
    assertEquals(Set.of("a", "b", "c", "d"), joint.voters());
    assertTrue(joint.isVoter("c"));
    assertTrue(joint.isVoter("d"));
    assertFalse(joint.isVoter("x"));
    assertTrue(joint.joint());
    assertFalse(three.joint());
    assertEquals(Set.of(), three.outgoing());
  }

  @Test
  void aJointQuorumHasNoSingleMajorityCount() {
    assertThrows(IllegalStateException.class, joint::majority);
    assertEquals(2, new Quorum(Set.of("a", "b", "c"), Set.of()).majority(), "an empty outgoing half is no joint");
  }

  @Test
  void aQuorumNeedsAnIncomingVoter() {
    assertThrows(IllegalArgumentException.class, () -> new Quorum(Set.of()));
    assertThrows(IllegalArgumentException.class, () -> new Quorum(Set.of(), Set.of("a")));
  }
}
