package io.chronik.raft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.cli.Main;
import io.chronik.raft.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The benchmark's quick mode as CI's smoke test: three node processes, every cell, the files.
 * It checks that the command works and that every figure is there, not the speed.
 */
@Tag("processes")
class BenchCommandTest {
  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void quickModeMeasuresEveryCellAndWritesTheReport() throws Exception {
    Path out = Files.createTempDirectory(Path.of("target"), "bench-out-");
    Path data = Files.createTempDirectory(Path.of("target"), "bench-data-");
    // --cell-settle 2: one more 2-s step of each cell's load at most (--quick has none), so the path runs here too.
    int code = new CommandLine(new Main()).execute("bench", "--quick", "--cell-settle", "2", "--out", out.toString(),
        "--base-dir", data.toString(), "--cluster-port", String.valueOf(FreePorts.run(3)),
        "--grpc-port", String.valueOf(FreePorts.run(3)),
        "--metrics-port", String.valueOf(FreePorts.run(3)));
    assertEquals(0, code, "bench --quick failed; its output is above");

    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(BenchRow.CSV_HEADER, csv.get(0));
    // 2 ping + 3 write + 2 x 2 x 3 read cells
    assertEquals(17, csv.size() - 1, String.join("\n", csv));
    for (String line : csv.subList(1, csv.size())) {
      String[] f = line.split(",", -1);
      assertTrue(Long.parseLong(f[5]) > 0, "no successful request in " + line);
      // CPU beyond each node's idle share: the nodes the clients call must show some.
      assertFalse(f[12].isEmpty() || f[13].isEmpty(), "no CPU measured in " + line);
      assertFalse(f[17].isEmpty(), "no JIT share measured in " + line);
      int busyColumn = f[3].equals("leader") ? 12 : 13;
      assertTrue(Double.parseDouble(f[busyColumn]) > 0, "the called nodes used no CPU in " + line);
      if (f[1].equals("read") && f[2].equals("safe") && f[3].equals("leader")) {
        assertTrue(Double.parseDouble(f[11]) > 0, "safe reads on the leader ran no ReadIndex round: " + line);
      }
      if (f[1].startsWith("read") && f[2].equals("unsafe")) {
        assertEquals(0.0, Double.parseDouble(f[11]), "unsafe reads must not run ReadIndex rounds: " + line);
      }
      // Entries per storage write: about 1 for one client. A write carrying only the term and vote
      // (an election seen during the cell on a loaded machine) counts too, so it may dip just below 1.
      if (f[1].equals("write")) assertTrue(Double.parseDouble(f[15]) >= 0.9, "no batch size in " + line);
    }
    String json = Files.readString(out.resolve("results.json"));
    assertEquals(17, json.split("\"workload\"").length - 1, json);
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("## Targets"), report);
    assertTrue(report.contains("safe >= 2.5x none (forwarding) at 64 clients"), report);
    assertTrue(report.contains("| read safe @follower x64 |"), report);

  }
}
