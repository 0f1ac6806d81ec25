package io.chronik.raft.core;

import io.chronik.raft.core.Quorum.VoteResult;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * One half of a {@link Quorum}: a plain majority over a voter set, counted by voter id (etcd
 * {@code quorum.MajorityConfig}). The empty set is allowed here and is neutral in a joint quorum:
 * it wins every vote, commits everything and is satisfied by anyone, so that a quorum with an
 * empty outgoing half decides exactly as its incoming half alone.
 */
final class Majority {
  private final Set<String> voters;

  Majority(Set<String> voters) {
    this.voters = Set.copyOf(voters);
  }

  Set<String> voters() {
    return voters;
  }

  boolean isEmpty() {
    return voters.isEmpty();
  }

  int majority() {
    return voters.size() / 2 + 1;
  }

  /** WON once a majority granted, LOST once a majority can no longer be reached. */
  VoteResult voteResult(Map<String, Boolean> votes) {
    if (voters.isEmpty()) return VoteResult.WON;
    int granted = 0;
    int rejected = 0;
    for (String v : voters) {
      Boolean vote = votes.get(v);
      if (vote == null) continue;
      if (vote) granted++; else rejected++;
    }
    if (granted >= majority()) return VoteResult.WON;
    if (rejected > voters.size() - majority()) return VoteResult.LOST;
    return VoteResult.PENDING;
  }

  /**
   * The highest index that a majority of voters has durably matched: sort the voters' match
   * indexes and take the majority-th from the top. Voters absent from the map count as 0.
   */
  long committedIndex(Map<String, Long> matchIndex) {
    if (voters.isEmpty()) return Long.MAX_VALUE;
    long[] matched = new long[voters.size()];
    int i = 0;
    for (String v : voters) matched[i++] = matchIndex.getOrDefault(v, 0L);
    Arrays.sort(matched);
    return matched[voters.size() - majority()];
  }

  /** True when the given ids (ids outside the set are ignored) form a majority. */
  boolean isMajority(Set<String> ids) {
    if (voters.isEmpty()) return true;
    int n = 0;
    for (String id : ids) if (voters.contains(id)) n++;
    return n >= majority();
  }
}
