package io.chronik.raft.replica;

import io.chronik.raft.core.Configuration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One replica's place in one Raft group: the group, this replica's member id, the voters the
 * configuration files name ({@code voters}: the configuration a group uses only while its log holds
 * none, see {@link io.chronik.raft.core.MembershipRules#current}), and which member should lead it
 * when it can ({@code preferredLeader}, chosen by placement so that leaders spread over the nodes).
 *
 * <p>{@code voters} is empty for a replica created to receive a leader's log (a new learner): it
 * knows its configuration only once the log or a snapshot brings one.
 */
public record GroupMembers(String groupId, String self, Set<String> voters, Optional<String> preferredLeader) {
  public GroupMembers {
    voters = Set.copyOf(new TreeSet<>(voters));
    if (preferredLeader.isPresent() && !voters.contains(preferredLeader.get())) {
      throw new IllegalArgumentException("preferred leader " + preferredLeader.get() + " is not a voter of group "
          + groupId + " " + voters);
    }
  }

  public GroupMembers(String groupId, String self, Set<String> voters) {
    this(groupId, self, voters, Optional.empty());
  }

  /**
   * The preferred leader while the group keeps the voters placement gave it ({@code inForce}
   * empty: none recorded yet); none once its voters changed: placement's choice was made for
   * voters the group no longer has, and the cluster's leader balancer spreads such groups'
   * leaderships instead.
   */
  public Optional<String> preferredLeaderIn(Optional<Configuration> inForce) {
    return preferredLeaderIn(preferredLeader, voters, inForce);
  }

  /** {@link #preferredLeaderIn(Optional)} for a group placed on {@code placedVoters}, as any node can tell it. */
  public static Optional<String> preferredLeaderIn(Optional<String> preferred, Set<String> placedVoters,
      Optional<Configuration> inForce) {
    boolean placedShape = inForce.map(c -> !c.joint() && c.voters().equals(placedVoters)).orElse(true);
    return placedShape ? preferred : Optional.empty();
  }

  /** The configuration the files imply, if they name any voters. */
  public Optional<Configuration> filesConfiguration() {
    return voters.isEmpty() ? Optional.empty() : Optional.of(Configuration.legacy(voters));
  }
}
