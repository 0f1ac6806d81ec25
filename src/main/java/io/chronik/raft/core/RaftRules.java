package io.chronik.raft.core;

/**
 * Every Raft decision a replica makes, by kind: one object per kind, each a set of pure functions
 * (state and input in, a decision out). A replica's role behaviours ask these objects and execute
 * what they answer; they decide nothing themselves.
 *
 * <p>{@link #STANDARD} is the protocol. Tests inject a deliberately broken rule (a mutant) as a
 * value — a subclass overriding one method, put in with a {@code with…} method — to show that a
 * transcript or the simulation notices; production code never holds anything but STANDARD.
 */
public record RaftRules(
    ElectionRules election,
    ReplicationRules replication,
    ReadRules reads,
    LeadershipRules leadership,
    SnapshotRules snapshots,
    ForwardingRules forwarding,
    MembershipRules membership) {

  public static final RaftRules STANDARD = new RaftRules(new ElectionRules(), new ReplicationRules(),
      new ReadRules(), new LeadershipRules(), new SnapshotRules(), new ForwardingRules(), new MembershipRules());

  public RaftRules withElection(ElectionRules rules) {
    return new RaftRules(rules, replication, reads, leadership, snapshots, forwarding, membership);
  }

  public RaftRules withReplication(ReplicationRules rules) {
    return new RaftRules(election, rules, reads, leadership, snapshots, forwarding, membership);
  }

  public RaftRules withReads(ReadRules rules) {
    return new RaftRules(election, replication, rules, leadership, snapshots, forwarding, membership);
  }

  public RaftRules withLeadership(LeadershipRules rules) {
    return new RaftRules(election, replication, reads, rules, snapshots, forwarding, membership);
  }

  public RaftRules withSnapshots(SnapshotRules rules) {
    return new RaftRules(election, replication, reads, leadership, rules, forwarding, membership);
  }

  public RaftRules withForwarding(ForwardingRules rules) {
    return new RaftRules(election, replication, reads, leadership, snapshots, rules, membership);
  }

  public RaftRules withMembership(MembershipRules rules) {
    return new RaftRules(election, replication, reads, leadership, snapshots, forwarding, rules);
  }
}
