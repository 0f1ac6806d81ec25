package io.chronik.raft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's arithmetic: verdicts, derived scale-out, and reading Prometheus text. */
class BenchReportTest {
  private static BenchRow read(int nodes, String policy, String servedBy, int clients, double opsPerSecond,
      double p50, double p99, double rounds, double leaderCpu, double othersCpu) {
    return new BenchRow(nodes, "read", policy, servedBy, clients, 1000, 0, opsPerSecond, p50, p99, p99 * 2, rounds,
        leaderCpu, othersCpu, 0.5, Double.NaN, 50, 0.5, WriteStages.NONE);
  }

  @Test
  void targetsAreJudgedOnTheMeasuredValues() {
    List<BenchRow> rows = List.of(
        read(3, "safe", "follower", 16, 10_000, 0.9, 4.0, 20, 10, 100),
        read(3, "safe", "follower", 64, 14_000, 3.0, 9.0, 60, 10, 100),
        read(3, "none", "follower", 64, 5_000, 5.0, 9.0, 60, 100, 100),
        read(3, "unsafe", "follower", 64, 20_000, 2.0, 9.0, 0, 1, 50));
    List<String> v = BenchReport.targets(rows);
    assertTrue(v.contains("MET     safe follower read p50 <= 1 ms at 16 clients: 0.90 ms"), v.toString());
    assertTrue(v.contains("MET     safe >= 2.5x none (forwarding) at 64 clients: 2.80x"), v.toString());
    assertTrue(v.contains("MISSED  safe >= 0.8x unsafe at 64 clients: 0.70x"), v.toString());
    assertTrue(v.contains("MISSED  <= 50 ReadIndex rounds per 1,000 follower reads at 64 clients: 60.0"), v.toString());
  }

  @Test
  void aCellMeasuredWhileANodeStillCompiledIsMarked() {
    BenchRow steady = read(3, "safe", "follower", 64, 10_000, 1, 2, 0, 10, 100);
    BenchRow compiling = new BenchRow(3, "read", "unsafe", "follower", 64, 1000, 0, 9_000, 1, 2, 4, 0, 10, 100, 0,
        Double.NaN, 50, 17.5, WriteStages.NONE);
    String table = BenchReport.table(List.of(steady, compiling));
    assertTrue(table.contains("| read safe @follower x64 | 10,000 | 1.00 | 2.00 | 4.00 | 0 | 0.0 | 10 | 100 | 0.50 |  |  | 0.5 |"),
        table);
    assertTrue(table.contains("|  | 17.5 (busy) |"), table);
    assertTrue(!steady.jitBusy() && compiling.jitBusy());
    assertTrue(compiling.csv().contains(",50.000,17.500,"), compiling.csv());
    assertTrue(compiling.json().contains("\"node_jit_percent_max\":17.500"), compiling.json());
  }

  @Test
  void derivedThroughputIsBoundByTheLeaderOrByTheFollowersTogether() {
    // leader 50 ms per 1,000 reads -> 20,000/s; 4 followers share 400 ms -> 10,000/s: followers bound
    assertEquals(10_000, BenchReport.derived(read(5, "safe", "follower", 64, 1, 1, 1, 1, 50, 400)), 1e-6);
    // leader 200 ms per 1,000 reads -> 5,000/s: leader bound
    assertEquals(5_000, BenchReport.derived(read(5, "none", "follower", 64, 1, 1, 1, 1, 200, 100)), 1e-6);
  }

  @Test
  void writeCellsShowTheMeanOfEachStageBesideTheClientsMean() {
    // 40 storage writes took 0.1 s in all: 2.5 ms each.
    WriteStages stages = new WriteStages(WriteStages.meanMs(0.1, 40), 3.0, WriteStages.meanMs(0.2, 100), 4.5, 5.0);
    // 16 closed loops at 2,000/s: each write took 8 ms on average at the client.
    BenchRow write = new BenchRow(3, "write", "-", "leader", 16, 1000, 0, 2000, 6.25, 9, 12, Double.NaN, 10, 20,
        4, 8, 50, 0.5, stages);
    String table = BenchReport.stagesTable(List.of(read(3, "safe", "follower", 16, 1, 1, 1, 1, 1, 1), write));
    assertTrue(table.contains("| write @leader x16 | 2.50 | 3.00 | 2.00 | 4.50 | 5.00 | 8.00 |"), table);
    assertTrue(!table.contains("read"), table);
    assertEquals("", BenchReport.stagesTable(List.of(read(3, "safe", "follower", 16, 1, 1, 1, 1, 1, 1))));
    assertTrue(Double.isNaN(WriteStages.meanMs(0, 0)), "no sample, no mean");
    assertTrue(write.csv().endsWith(",2.500,3.000,2.000,4.500,5.000"), write.csv());
  }

  @Test
  void prometheusSeriesAreSummedByNameAndLabels() {
    PrometheusScrape s = PrometheusScrape.parse("""
        # HELP chronik_readindex_rounds_total x
        # TYPE chronik_readindex_rounds_total counter
        chronik_readindex_rounds_total{node="node-1",partition="kv-0",} 12.0
        chronik_readindex_rounds_total{node="node-1",partition="log-0"} 3.0
        chronik_readindex_rounds_total_other{node="node-1",partition="kv-0"} 100.0
        process_cpu_seconds_total{node="node-1"} 1.5
        """);
    assertEquals(12.0, s.sum("chronik_readindex_rounds_total", "partition=\"kv-0\""));
    assertEquals(15.0, s.sum("chronik_readindex_rounds_total"));
    assertEquals(1.5, s.sum("process_cpu_seconds_total"));
    assertEquals(0.0, s.sum("missing_total"));
  }
}
