package io.chronik.raft.replica;

import io.chronik.raft.core.Quorum;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is in one Raft group, which member this replica is, and which member should lead it when
 * it can ({@code preferredLeader}, chosen by placement so that leaders spread over the nodes).
 * Static for now; membership change will carry the configuration in the log and rebuild this
 * from it.
 */
public record GroupMembers(String groupId, String self, Set<String> voters, Optional<String> preferredLeader) {
  public GroupMembers {
    voters = Set.copyOf(new TreeSet<>(voters));
    if (!voters.contains(self)) {
      throw new IllegalArgumentException("replica " + self + " is not a voter of group " + groupId + " " + voters);
    }
    if (preferredLeader.isPresent() && !voters.contains(preferredLeader.get())) {
      throw new IllegalArgumentException("preferred leader " + preferredLeader.get() + " is not a voter of group "
          + groupId + " " + voters);
    }
  }

  public GroupMembers(String groupId, String self, Set<String> voters) {
    this(groupId, self, voters, Optional.empty());
  }

  public Quorum quorum() {
    return new Quorum(voters);
  }

  /** The other voters, in a stable order. */
  public List<String> peers() {
    return new TreeSet<>(voters).stream().filter(v -> !v.equals(self)).toList();
  }
}
