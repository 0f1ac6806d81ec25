package io.chronik.raft.bench;

/**
 * Where one write cell's time went, from the nodes' {@code chronik_write_stage_seconds} histograms
 * over the measured window: the mean of each stage in milliseconds, NaN where it was not measured
 * (not a write cell, or no metrics). The leader's gRPC mean minus {@code committedMs} is what the
 * node spends around its replica (the produce call, the hops to and from the replica); the client's
 * mean minus the gRPC mean is the client library, the connection and the client's share of CPU.
 *
 * @param leaderStorageMs one storage write on the leader, issued until durable
 * @param leaderDurableMs a proposal's arrival at the leader until its own write of it is durable
 * @param followerAppendMs on the followers, an AppendEntries with entries from arrival until acknowledged
 * @param committedMs a proposal's arrival at the leader until committed, applied and answered
 * @param leaderGrpcMs the leader's gRPC server, a Produce call's arrival until its answer
 *     ({@code chronik_grpc_server_requests_seconds{method="Produce"}})
 */
record WriteStages(double leaderStorageMs, double leaderDurableMs, double followerAppendMs, double committedMs,
    double leaderGrpcMs) {
  static final WriteStages NONE = new WriteStages(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

  static final String CSV_HEADER = "leader_storage_ms,leader_durable_ms,follower_append_ms,committed_ms,leader_grpc_ms";

  /** The mean in milliseconds of a histogram whose {@code _sum} (seconds) and {@code _count} grew by these. */
  static double meanMs(double sumSeconds, double count) {
    return count > 0 ? sumSeconds * 1000 / count : Double.NaN;
  }

  String csv() {
    return String.join(",", BenchRow.num(leaderStorageMs), BenchRow.num(leaderDurableMs), BenchRow.num(followerAppendMs),
        BenchRow.num(committedMs), BenchRow.num(leaderGrpcMs));
  }

  String json() {
    return String.format("\"leader_storage_ms\":%s,\"leader_durable_ms\":%s,\"follower_append_ms\":%s,\"committed_ms\":%s,\"leader_grpc_ms\":%s",
        BenchRow.jsonNum(leaderStorageMs), BenchRow.jsonNum(leaderDurableMs), BenchRow.jsonNum(followerAppendMs),
        BenchRow.jsonNum(committedMs), BenchRow.jsonNum(leaderGrpcMs));
  }
}
