package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chronik.raft.core.Configuration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupMembersTest {
  private final GroupMembers placed = new GroupMembers("kv-0", "n1", Set.of("n1", "n2", "n3"), Optional.of("n2"));

  @Test
  void thePreferredLeaderHoldsWhileTheGroupKeepsPlacementsVoters() {
    assertEquals(Optional.of("n2"), placed.preferredLeaderIn(Optional.empty()), "nothing recorded yet");
    Configuration recorded = Configuration.legacy(Set.of("n1", "n2", "n3")).withLearner("n4", "s-4");
    assertEquals(Optional.of("n2"), placed.preferredLeaderIn(Optional.of(recorded)),
        "placement's voters, a learner being added");
  }

  @Test
  void noPreferredLeaderOnceTheVotersChangedOrWhileJoint() {
    Configuration moved = new Configuration(Set.of("n1", "n3", "n4/1"), Set.of(), Set.of(), false, 2);
    assertEquals(Optional.empty(), placed.preferredLeaderIn(Optional.of(moved)));
    Configuration joint = new Configuration(Set.of("n1", "n2", "n3"), Set.of("n1", "n2", "n4/1"), Set.of(), true, 2);
    assertEquals(Optional.empty(), placed.preferredLeaderIn(Optional.of(joint)));
  }
}
