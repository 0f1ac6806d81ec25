package io.chronik.raft.server;

import io.chronik.raft.api.grpc.ChronikClient;
import io.chronik.raft.api.grpc.PartitionStatus;
import io.chronik.raft.api.grpc.StatusRequest;
import io.chronik.raft.api.grpc.StatusResponse;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Node processes on 127.0.0.1, one JVM each with its own data directory under {@code baseDir}:
 * what {@code cluster} and {@code bench} start. Ports are consecutive from the given first ports.
 */
final class LocalCluster implements AutoCloseable {
  private final List<String> ids = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final int grpcPort;
  private final int metricsPort;

  /**
   * @param logDir where each node's output goes ({@code <id>.log}); null: to this process's
   *     standard output, each line prefixed with the node id
   */
  LocalCluster(int nodeCount, Path baseDir, Path config, int clusterPort, int grpcPort, int metricsPort, Path logDir,
      List<String> jvmOptions) throws Exception {
    if (nodeCount < 1) throw new IllegalArgumentException("--nodes must be at least 1");
    this.grpcPort = grpcPort;
    this.metricsPort = metricsPort;
    List<String> seeds = new ArrayList<>();
    for (int i = 1; i <= nodeCount; i++) {
      ids.add("node-" + i);
      seeds.add("127.0.0.1:" + (clusterPort + i - 1));
    }
    for (int i = 0; i < nodeCount; i++) {
      String id = ids.get(i);
      List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xmx512m", "-XX:+UseSerialGC"));
      for (String option : jvmOptions) cmd.add(option.replace("{node}", id));
      cmd.addAll(List.of("-cp", classpath(), Main.class.getName(), "server", "--config", config.toString(),
          "--node-id", id, "--data-dir", baseDir.resolve(id).toString(), "--cluster-port", String.valueOf(clusterPort + i),
          "--grpc-port", String.valueOf(grpcPort + i), "--metrics-port", String.valueOf(metricsPort(i)),
          "--seeds", String.join(",", seeds), "--nodes", String.join(",", ids)));
      ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
      if (logDir != null) {
        Files.createDirectories(logDir);
        builder.redirectOutput(logDir.resolve(id + ".log").toFile());
      }
      Process p = builder.start();
      processes.add(p);
      if (logDir == null) pipe(id, p);
    }
  }

  List<String> ids() {
    return ids;
  }

  int grpcPort(int index) {
    return grpcPort + index;
  }

  /** 0 when metrics are off. */
  int metricsPort(int index) {
    return metricsPort == 0 ? 0 : metricsPort + index;
  }

  List<Process> processes() {
    return processes;
  }

  /** Waits until every partition has a leader; fails at once when a node process exits. */
  StatusResponse awaitLeaders(ChronikClient client, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < processes.size(); i++) {
        Process p = processes.get(i);
        if (!p.isAlive()) {
          throw new IllegalStateException(ids.get(i) + " exited with code " + p.exitValue() + "; see its output");
        }
      }
      try {
        StatusResponse s = client.status(StatusRequest.getDefaultInstance()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        if (!s.getPartitionsList().isEmpty() && s.getPartitionsList().stream().noneMatch(p -> p.getLeader().isEmpty())) {
          return s;
        }
        last = s.getPartitionsList().stream().filter(p -> p.getLeader().isEmpty()).map(PartitionStatus::getPartition)
            .toList() + " without a leader";
      } catch (Exception e) {
        last = e.getMessage();
      }
      Thread.sleep(500); // a person waiting for the cluster to come up
    }
    throw new IllegalStateException("the cluster did not elect leaders within " + seconds + " s: " + last);
  }

  /** SIGTERM to every node (each leaves the cluster cleanly), then waits; kills what does not stop in 30 s. */
  @Override
  public void close() {
    for (Process p : processes) if (p.isAlive()) p.destroy();
    for (Process p : processes) {
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void pipe(String id, Process p) {
    Thread pipe = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) System.out.println("[" + id + "] " + line);
      } catch (Exception ignored) {
        // the child ended
      }
    }, "chronik-" + id + "-output");
    pipe.setDaemon(true);
    pipe.start();
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The project's runtime classpath (target/classpath.txt from the build), else this JVM's. */
  private static String classpath() throws Exception {
    Path file = Path.of("target", "classpath.txt");
    if (Files.isRegularFile(file) && Files.isDirectory(Path.of("target", "classes"))) {
      return Path.of("target", "classes").toAbsolutePath() + File.pathSeparator + Files.readString(file).trim();
    }
    return System.getProperty("java.class.path");
  }
}
