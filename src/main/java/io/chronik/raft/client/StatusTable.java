package io.chronik.raft.client;

import io.chronik.raft.api.grpc.NodeStatus;
import io.chronik.raft.api.grpc.PartitionStatus;
import io.chronik.raft.api.grpc.ReplicaStatus;
import io.chronik.raft.api.grpc.StatusResponse;
import java.util.TreeMap;

/** A node's status answer as the table that {@code status} and {@code cluster} print. */
public final class StatusTable {
  private StatusTable() {}

  public static String of(StatusResponse s) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("node %s of %s%n", s.getNodeId(), s.getNodesList()));
    for (NodeStatus n : s.getNodeStatesList()) {
      out.append(String.format("  %-8s %-13s %s%s%n", n.getNode(), n.getState(), n.getAddress(),
          n.getOldestMember() ? "  (oldest member)" : ""));
    }
    // One row per member of each partition's configuration; "config" is the index of the
    // configuration's log entry (0: the configuration files' voters, not recorded in the log yet).
    // The partition column is as wide as the longest name (runtime topics and __chronik_meta-0 included).
    int width = Math.max(12, s.getPartitionsList().stream().mapToInt(p -> p.getPartition().length()).max().orElse(0));
    out.append(String.format("%-" + width + "s %-8s %-8s %-9s %6s %-16s %5s %7s %8s %5s %8s  %s", "partition",
        "replica", "leader", "preferred", "config", "role", "term", "commit", "applied", "lag", "snapshot", "state"));
    for (PartitionStatus p : s.getPartitionsList()) {
      for (ReplicaStatus r : p.getReplicasList()) {
        out.append(String.format("%n%-" + width + "s %-8s %-8s %-9s %6s %-16s %5d %7d %8d %5d %8d  %s", p.getPartition(),
            r.getMember().isEmpty() ? r.getNode() : r.getMember(), p.getLeader().isEmpty() ? "-" : p.getLeader(),
            p.getPreferredLeader(), config(p), role(p, r), r.getTerm(),
            r.getCommitIndex(), r.getAppliedIndex(), r.getLag(), r.getSnapshotIndex(),
            new TreeMap<>(r.getStateMachineMap()).toString().replaceAll("[{}]", "")));
      }
    }
    for (PartitionStatus p : s.getPartitionsList()) {
      for (ReplicaStatus r : p.getReplicasList()) {
        if (!r.getFault().isEmpty()) out.append(String.format("%nfault: %s on %s: %s", p.getPartition(), r.getNode(),
            r.getFault()));
      }
    }
    return out.toString();
  }

  /** The configuration's index, marked while it is not committed yet ({@code *}) or joint ({@code j}). */
  private static String config(PartitionStatus p) {
    return p.getConfigIndex() + (p.getOutgoingVotersCount() > 0 ? "j" : "") + (p.getConfigCommitted() ? "" : "*");
  }

  /** A voter of the outgoing half only (it leaves once the joint configuration is left) is marked so. */
  private static String role(PartitionStatus p, ReplicaStatus r) {
    String member = r.getMember().isEmpty() ? r.getNode() : r.getMember();
    boolean leaving = p.getOutgoingVotersList().contains(member) && !p.getVotersList().contains(member);
    return leaving ? r.getRole() + ",leaving" : r.getRole();
  }
}
