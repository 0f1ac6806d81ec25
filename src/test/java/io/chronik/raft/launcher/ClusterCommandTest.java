package io.chronik.raft.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.cli.Main;
import io.chronik.raft.testing.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The README's first command, as real processes: three node JVMs, the demo over gRPC, a clean stop. */
@Tag("processes")
public class ClusterCommandTest {
  @Test
  void nodesRunTheChronikCommandsMainClass() {
    assertEquals(Main.class.getName(), LocalCluster.MAIN_CLASS);
  }

  @Test
  void theDefaultPortsOfEveryNodeAreDistinct() {
    ClusterCommand defaults = new ClusterCommand();
    new CommandLine(defaults).parseArgs("--nodes", "9");
    assertEquals(null, ClusterCommand.portClash(defaults.nodeCount,
        new String[] {"cluster", "grpc", "metrics", "kafka"},
        new int[] {defaults.clusterPort, defaults.grpcPort, defaults.metricsPort, defaults.kafkaPort}));
  }

  @Test
  void overlappingPortRangesAreRefusedWithBothOptionsNamed() {
    String clash = ClusterCommand.portClash(3, new String[] {"--grpc-port", "--kafka-port", "--metrics-port"},
        new int[] {9091, 9093, 0});
    assertTrue(clash != null && clash.contains("--grpc-port 9091 and --kafka-port 9093 overlap"), String.valueOf(clash));
    assertEquals(null, ClusterCommand.portClash(3, new String[] {"--grpc-port", "--kafka-port"}, new int[] {9091, 9094}));
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aThreeNodeClusterOfProcessesServesFollowerReadsAndStops() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "cli-cluster-");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
    int code;
    try {
      code = new CommandLine(new Main()).execute("cluster", "--nodes", "3", "--exit-after-demo",
          "--base-dir", dir.toString(), "--cluster-port", String.valueOf(FreePorts.run(3)),
          "--grpc-port", String.valueOf(FreePorts.run(3)), "--metrics-port", String.valueOf(FreePorts.run(3)),
          "--kafka-port", String.valueOf(FreePorts.run(3)));
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, out);
    assertTrue(out.contains("produced 3 records"), out);
    assertTrue(out.matches("(?s).*served by node-\\d \\(follower\\).*"), "a follower served a safe read:\n" + out);
    assertTrue(out.matches("(?s).*node-2 +up .*node-3 +up .*"), "the status after the demo shows every node up:\n" + out);
    for (int n = 1; n <= 3; n++) assertTrue(Files.isDirectory(dir.resolve("node-" + n).resolve("journal")));
  }

  private static final class TeeStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
