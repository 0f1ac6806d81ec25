package io.chronik.raft.bench;

/**
 * One measured cell of the benchmark. Costs are deltas of the nodes' own metrics over the
 * measured window; NaN where they do not apply or metrics were not reachable.
 *
 * @param workload ping (no-op RPC: the RPC layer's ceiling), write (produce of one record), or
 *     read (get of one key)
 * @param policy read policy (reads only; "-" otherwise)
 * @param servedBy the nodes the clients call: leader or followers (each client sticks to one)
 * @param leaderCpuMsPer1000 CPU time of the partition leader's process per 1,000 operations
 * @param followerCpuMsPer1000 CPU time of all other nodes together per 1,000 operations
 * @param leaderMessagesPerOp Raft messages the leader sent plus received for the partition, per
 *     operation
 * @param entriesPerWrite log entries per storage write on the leader (writes only)
 * @param clientCpuMsPer1000 CPU time of the benchmark's own process (the clients) per 1,000 operations
 * @param jitPercentMax the most time any node's JIT spent compiling during the window, in % of it: above
 *     {@link #JIT_BUSY_PERCENT} the cell's costs include compiling, not only the load
 * @param stages where a write's time went, stage by stage (writes only; {@link WriteStages#NONE} otherwise)
 */
record BenchRow(int nodes, String workload, String policy, String servedBy, int clients, long ok, long errors,
    double opsPerSecond, double p50Ms, double p99Ms, double p999Ms, double roundsPer1000Reads,
    double leaderCpuMsPer1000, double followerCpuMsPer1000, double leaderMessagesPerOp, double entriesPerWrite,
    double clientCpuMsPer1000, double jitPercentMax, WriteStages stages) {
  /**
   * A node compiling more than this % of the window: the cell's numbers include compiling, not only
   * the load. (On two shared cores a phase change recompiles a few % of the time for minutes; past
   * this, the cell's throughput and costs visibly move with it.)
   */
  static final double JIT_BUSY_PERCENT = 10.0;

  /** Whether some node's JIT was still busy while this cell was measured. */
  boolean jitBusy() {
    return jitPercentMax > JIT_BUSY_PERCENT;
  }

  String label() {
    return workload + (policy.equals("-") ? "" : " " + policy) + " @" + servedBy + " x" + clients;
  }

  boolean is(String workload, String policy, String servedBy, int clients) {
    return this.workload.equals(workload) && this.policy.equals(policy) && this.servedBy.equals(servedBy)
        && this.clients == clients;
  }

  static final String CSV_HEADER = "nodes,workload,policy,served_by,clients,ok,errors,ops_per_s,p50_ms,p99_ms,p999_ms,"
      + "readindex_rounds_per_1000_reads,leader_cpu_ms_per_1000_ops,follower_cpu_ms_per_1000_ops,"
      + "leader_messages_per_op,entries_per_disk_write,client_cpu_ms_per_1000_ops,node_jit_percent_max,"
      + WriteStages.CSV_HEADER;

  String csv() {
    return String.join(",", String.valueOf(nodes), workload, policy, servedBy, String.valueOf(clients),
        String.valueOf(ok), String.valueOf(errors), num(opsPerSecond), num(p50Ms), num(p99Ms), num(p999Ms),
        num(roundsPer1000Reads), num(leaderCpuMsPer1000), num(followerCpuMsPer1000), num(leaderMessagesPerOp),
        num(entriesPerWrite), num(clientCpuMsPer1000), num(jitPercentMax), stages.csv());
  }

  String json() {
    return String.format("{\"nodes\":%d,\"workload\":\"%s\",\"policy\":\"%s\",\"served_by\":\"%s\",\"clients\":%d,"
            + "\"ok\":%d,\"errors\":%d,\"ops_per_s\":%s,\"p50_ms\":%s,\"p99_ms\":%s,\"p999_ms\":%s,"
            + "\"readindex_rounds_per_1000_reads\":%s,\"leader_cpu_ms_per_1000_ops\":%s,"
            + "\"follower_cpu_ms_per_1000_ops\":%s,\"leader_messages_per_op\":%s,\"entries_per_disk_write\":%s,"
            + "\"client_cpu_ms_per_1000_ops\":%s,\"node_jit_percent_max\":%s,%s}",
        nodes, workload, policy, servedBy, clients, ok, errors, jsonNum(opsPerSecond), jsonNum(p50Ms), jsonNum(p99Ms),
        jsonNum(p999Ms), jsonNum(roundsPer1000Reads), jsonNum(leaderCpuMsPer1000), jsonNum(followerCpuMsPer1000),
        jsonNum(leaderMessagesPerOp), jsonNum(entriesPerWrite), jsonNum(clientCpuMsPer1000), jsonNum(jitPercentMax),
        stages.json());
  }

  static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(java.util.Locale.ROOT, "%.3f", v);
  }

  static String jsonNum(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(java.util.Locale.ROOT, "%.3f", v);
  }
}
