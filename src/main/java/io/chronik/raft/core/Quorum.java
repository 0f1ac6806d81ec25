package io.chronik.raft.core;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Majority quorum over a fixed voter set, computed <em>by voter id</em> so that a duplicated
 * message or a response from a non-voter can never be counted twice or at all.
 */
public final class Quorum {
  public enum VoteResult { WON, LOST, PENDING }

  private final Set<String> voters;

  public Quorum(Set<String> voters) {
    if (voters.isEmpty()) throw new IllegalArgumentException("a Raft group needs at least one voter");
    this.voters = Set.copyOf(voters);
  }

  public Set<String> voters() {
    return voters;
  }

  public int majority() {
    return voters.size() / 2 + 1;
  }

  public boolean isVoter(String id) {
    return voters.contains(id);
  }

  /** WON once a majority granted, LOST once a majority can no longer be reached. */
  public VoteResult voteResult(Map<String, Boolean> votes) {
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
   * indexes descending and take the majority-th. Voters absent from the map count as 0.
   */
  public long committedIndex(Map<String, Long> matchIndex) {
    long[] matched = new long[voters.size()];
    int i = 0;
    for (String v : voters) matched[i++] = matchIndex.getOrDefault(v, 0L);
    Arrays.sort(matched);
    return matched[voters.size() - majority()];
  }

  /** True when the given voters (ids outside the set are ignored) form a majority. */
  public boolean isMajority(Set<String> ids) {
    int n = 0;
    for (String id : ids) if (voters.contains(id)) n++;
    return n >= majority();
  }
}
