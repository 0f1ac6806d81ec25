package io.chronik.raft.core;

import io.chronik.raft.rpc.GroupConfig;
import io.chronik.raft.rpc.Member;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Raft group's configuration (thesis ch. 4): its voters, the outgoing voters while a change is
 * half done (joint, thesis §4.3), the learners that are replicated to but never counted, and the
 * replica id the next member gets.
 *
 * <p>Members are named by id: {@code node/replica} ({@code node-3/7}), replica ids given out once
 * from {@link #nextReplicaId()} and never again, so that a replica whose data was lost can only
 * come back as a new member (it may have granted votes or acknowledged entries it no longer
 * holds). A bare node id ({@code node-3}) is replica 0, a voter placed by the configuration files
 * of before configurations were in the log. Each member's store (data directory) is in
 * {@link #stores()}; a member not there is on the {@link #LEGACY_STORE}.
 *
 * <p>Invariants (etcd {@code confchange.checkInvariants}), checked on construction so that no
 * configuration breaking them exists: at least one incoming voter; a learner is a voter in
 * neither half; {@code autoLeave} only while joint; every member id well formed, with a replica id
 * below {@code nextReplicaId}; a store named only for members, and holding one member at most.
 * Sets are kept sorted, so iteration and {@link #toString()} are the same on every replica.
 */
public record Configuration(Set<String> voters, Set<String> outgoing, Set<String> learners, boolean autoLeave,
    long nextReplicaId, Map<String, String> stores) {

  /** The store of a data directory of before store ids. */
  public static final String LEGACY_STORE = "legacy";

  public Configuration {
    voters = sorted(voters);
    outgoing = sorted(outgoing);
    learners = sorted(learners);
    TreeMap<String, String> named = new TreeMap<>(stores);
    named.values().removeIf(LEGACY_STORE::equals); // implied, so that equal configurations are equal values
    stores = Collections.unmodifiableSortedMap(named);
    checkInvariants(voters, outgoing, learners, autoLeave, nextReplicaId, stores);
  }

  /** A configuration whose members are all on the legacy store. */
  public Configuration(Set<String> voters, Set<String> outgoing, Set<String> learners, boolean autoLeave,
      long nextReplicaId) {
    this(voters, outgoing, learners, autoLeave, nextReplicaId, Map.of());
  }

  /** The configuration the configuration files imply: {@code voters} (replica 0 each), nothing else. */
  public static Configuration legacy(Set<String> voters) {
    return new Configuration(voters, Set.of(), Set.of(), false, 1);
  }

  public boolean joint() {
    return !outgoing.isEmpty();
  }

  /** A voter of either half: its vote and its match count. */
  public boolean isVoter(String id) {
    return voters.contains(id) || outgoing.contains(id);
  }

  public boolean isLearner(String id) {
    return learners.contains(id);
  }

  public boolean isMember(String id) {
    return isVoter(id) || isLearner(id);
  }

  /** Every member: the voters of both halves and the learners. */
  public SortedSet<String> members() {
    TreeSet<String> all = new TreeSet<>(voters);
    all.addAll(outgoing);
    all.addAll(learners);
    return Collections.unmodifiableSortedSet(all);
  }

  /** Whom {@code self} replicates to when it leads: every other member, learners included. */
  public SortedSet<String> replicationTargets(String self) {
    TreeSet<String> targets = new TreeSet<>(members());
    targets.remove(self);
    return Collections.unmodifiableSortedSet(targets);
  }

  /** The majority rule: a majority of each half while joint. Learners are in neither. */
  public Quorum quorum() {
    return new Quorum(voters, outgoing);
  }

  /** The store that holds member {@code id}. */
  public String store(String id) {
    if (!isMember(id)) throw new IllegalArgumentException(id + " is not a member of " + this);
    return stores.getOrDefault(id, LEGACY_STORE);
  }

  // ---------------------------------------------------------------- member ids

  public static String memberId(String node, long replicaId) {
    return node + "/" + replicaId;
  }

  public static String nodeOf(String memberId) {
    int slash = memberId.indexOf('/');
    return slash < 0 ? memberId : memberId.substring(0, slash);
  }

  /** The replica id in a member id; 0 for a bare node id. */
  public static long replicaIdOf(String memberId) {
    int slash = memberId.indexOf('/');
    if (slash < 0) return 0;
    try {
      return Long.parseLong(memberId.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("malformed member id " + memberId + ": expected node/replica-number");
    }
  }

  // ---------------------------------------------------------------- changes (each checked by the constructor)

  /** A simple change: a new learner on {@code node}'s {@code store}, with the next replica id. */
  public Configuration withLearner(String node, String store) {
    String id = memberId(node, nextReplicaId);
    Map<String, String> moreStores = new TreeMap<>(stores);
    moreStores.put(id, store);
    return new Configuration(voters, outgoing, plus(learners, id), autoLeave, nextReplicaId + 1, moreStores);
  }

  /** A simple change: learner {@code id} is no member any more. */
  public Configuration withoutLearner(String id) {
    if (!isLearner(id)) throw new IllegalArgumentException(id + " is not a learner of " + this);
    Map<String, String> fewerStores = new TreeMap<>(stores);
    fewerStores.remove(id);
    return new Configuration(voters, outgoing, minus(learners, id), autoLeave, nextReplicaId, fewerStores);
  }

  /**
   * Enters the joint configuration {@code incoming && voters()} (etcd {@code Changer.EnterJoint}):
   * the current voters become the outgoing half, a learner named in {@code incoming} is a learner
   * no more, a voter left out of {@code incoming} stays a member of the outgoing half only.
   */
  public Configuration enterJoint(Set<String> incoming, boolean autoLeaveWhenCommitted) {
    if (joint()) throw new IllegalArgumentException("configuration is already joint: " + this);
    TreeSet<String> stillLearners = new TreeSet<>(learners);
    stillLearners.removeAll(incoming);
    return new Configuration(incoming, voters, stillLearners, autoLeaveWhenCommitted, nextReplicaId, stores);
  }

  /** Leaves the joint configuration (etcd {@code Changer.LeaveJoint}): the outgoing-only voters are no members. */
  public Configuration leaveJoint() {
    if (!joint()) throw new IllegalArgumentException("can't leave a configuration that is not joint: " + this);
    Map<String, String> kept = new TreeMap<>(stores);
    kept.keySet().removeIf(id -> !voters.contains(id) && !learners.contains(id));
    return new Configuration(voters, Set.of(), learners, false, nextReplicaId, kept);
  }

  // ---------------------------------------------------------------- wire form

  public GroupConfig toProto() {
    GroupConfig.Builder b = GroupConfig.newBuilder().setAutoLeave(autoLeave).setNextReplicaId(nextReplicaId);
    voters.forEach(id -> b.addVoters(member(id)));
    outgoing.forEach(id -> b.addVotersOutgoing(member(id)));
    learners.forEach(id -> b.addLearners(member(id)));
    return b.build();
  }

  /** The configuration {@code config} describes; IllegalArgumentException when it breaks an invariant. */
  public static Configuration fromProto(GroupConfig config) {
    Map<String, String> stores = new TreeMap<>();
    Set<String> voters = ids(config.getVotersList(), stores);
    Set<String> outgoing = ids(config.getVotersOutgoingList(), stores);
    Set<String> learners = ids(config.getLearnersList(), stores);
    return new Configuration(voters, outgoing, learners, config.getAutoLeave(), config.getNextReplicaId(), stores);
  }

  private Member member(String id) {
    return Member.newBuilder().setId(id).setNode(nodeOf(id)).setStore(store(id)).build();
  }

  private static Set<String> ids(List<Member> members, Map<String, String> stores) {
    Set<String> ids = new TreeSet<>();
    for (Member m : members) {
      if (!nodeOf(m.getId()).equals(m.getNode())) {
        throw new IllegalArgumentException("member " + m.getId() + " names node " + m.getNode());
      }
      String known = stores.putIfAbsent(m.getId(), m.getStore());
      if (known != null && !known.equals(m.getStore())) {
        throw new IllegalArgumentException("member " + m.getId() + " is on stores " + known + " and " + m.getStore());
      }
      ids.add(m.getId());
    }
    return ids;
  }

  /** etcd's notation: {@code voters=(a b c)&&(a b) learners=(d) autoleave next=5 stores=(d:s1)}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("voters=").append(list(voters));
    if (joint()) s.append("&&").append(list(outgoing));
    if (!learners.isEmpty()) s.append(" learners=").append(list(learners));
    if (autoLeave) s.append(" autoleave");
    s.append(" next=").append(nextReplicaId);
    if (!stores.isEmpty()) {
      StringBuilder named = new StringBuilder();
      stores.forEach((id, store) -> named.append(named.length() == 0 ? "" : " ").append(id).append(':').append(store));
      s.append(" stores=(").append(named).append(')');
    }
    return s.toString();
  }

  // ---------------------------------------------------------------- invariants

  private static void checkInvariants(Set<String> voters, Set<String> outgoing, Set<String> learners,
      boolean autoLeave, long nextReplicaId, Map<String, String> stores) {
    if (voters.isEmpty()) {
      throw new IllegalArgumentException("no voters" + (outgoing.isEmpty() ? "" : " in the incoming half")
          + ": a configuration needs at least one");
    }
    for (String id : learners) {
      if (voters.contains(id)) throw new IllegalArgumentException(id + " is both a learner and a voter");
      if (outgoing.contains(id)) throw new IllegalArgumentException(id + " is both a learner and an outgoing voter");
    }
    if (autoLeave && outgoing.isEmpty()) {
      throw new IllegalArgumentException("autoLeave is set but the configuration is not joint");
    }
    TreeSet<String> members = new TreeSet<>(voters);
    members.addAll(outgoing);
    members.addAll(learners);
    for (String id : members) {
      long replica = replicaIdOf(id);
      if (nodeOf(id).isEmpty() || replica < 0 || (replica == 0 && id.contains("/"))) {
        throw new IllegalArgumentException("malformed member id '" + id + "': expected node or node/replica (> 0)");
      }
      if (replica >= nextReplicaId) {
        throw new IllegalArgumentException("member " + id + " has replica id " + replica + ", not below nextReplicaId "
            + nextReplicaId + ": the id could be given out again");
      }
    }
    Map<String, String> memberOfStore = new TreeMap<>();
    for (Map.Entry<String, String> e : stores.entrySet()) {
      if (!members.contains(e.getKey())) {
        throw new IllegalArgumentException("a store is named for " + e.getKey() + ", which is no member");
      }
      if (e.getValue().isEmpty()) throw new IllegalArgumentException("member " + e.getKey() + " has an empty store id");
      String other = memberOfStore.put(e.getValue(), e.getKey());
      if (other != null) {
        throw new IllegalArgumentException("members " + other + " and " + e.getKey() + " are both on store "
            + e.getValue() + ": a store holds one replica of a group");
      }
    }
  }

  private static Set<String> sorted(Set<String> ids) {
    return Collections.unmodifiableSortedSet(new TreeSet<>(ids));
  }

  /** {@code ids} and {@code id}, sorted (for the membership rules as for this class). */
  static Set<String> plus(Set<String> ids, String id) {
    TreeSet<String> more = new TreeSet<>(ids);
    more.add(id);
    return more;
  }

  /** {@code ids} without {@code id}, sorted. */
  static Set<String> minus(Set<String> ids, String id) {
    TreeSet<String> fewer = new TreeSet<>(ids);
    fewer.remove(id);
    return fewer;
  }

  private static String list(Set<String> ids) {
    return "(" + String.join(" ", ids) + ")";
  }
}
