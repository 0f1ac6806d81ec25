package io.chronik.raft.launcher;

import io.chronik.raft.api.grpc.ChronikClient;
import io.chronik.raft.api.grpc.PartitionStatus;
import io.chronik.raft.api.grpc.StatusRequest;
import io.chronik.raft.api.grpc.StatusResponse;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Node processes on 127.0.0.1, one JVM each with its own data directory under {@code baseDir}:
 * what {@code cluster}, {@code bench} and the process-level tests start. Ports are consecutive
 * from the given first ports. Each node can be killed, paused, stopped and started again on its
 * data; with {@code supervise}, a node that exits with a non-zero status (it was removed from the
 * cluster, or failed) is started again, as a process supervisor would.
 */
public final class LocalCluster implements AutoCloseable {
  /**
   * The {@code chronik} command's main class, which node processes run. Named, not imported: the
   * command dispatches to this package, so an import would make the two packages a cycle
   * (ClusterCommandTest checks the name).
   */
  static final String MAIN_CLASS = "io.chronik.raft.cli.Main";

  /** Where each node runs: the address it binds and advertises, and what its JVM is launched under. */
  public interface Layout {
    String host(int node);

    /** A command prefix for the node's JVM (for example {@code ip netns exec ns1}); empty: none. */
    List<String> launcher(int node);

    Layout LOOPBACK = new Layout() {
      @Override
      public String host(int node) {
        return "127.0.0.1";
      }

      @Override
      public List<String> launcher(int node) {
        return List.of();
      }
    };
  }

  private final List<String> ids = new ArrayList<>();
  private final List<List<String>> commands = new ArrayList<>();
  private final Process[] processes;
  private final int grpcPort;
  private final int metricsPort;
  private final Path logDir;
  private final boolean supervise;
  private final Layout layout;
  private volatile boolean closing;

  /**
   * @param logDir where each node's output goes ({@code <id>.log}, appended across restarts);
   *     null: to this process's standard output, each line prefixed with the node id
   */
  public LocalCluster(int nodeCount, Path baseDir, Path config, int clusterPort, int grpcPort, int metricsPort,
      Path logDir, List<String> jvmOptions, boolean supervise) throws IOException {
    this(nodeCount, baseDir, config, clusterPort, grpcPort, metricsPort, logDir, jvmOptions, supervise, classpath());
  }

  public LocalCluster(int nodeCount, Path baseDir, Path config, int clusterPort, int grpcPort, int metricsPort,
      Path logDir, List<String> jvmOptions, boolean supervise, String classpath) throws IOException {
    this(nodeCount, baseDir, config, clusterPort, grpcPort, metricsPort, logDir, jvmOptions, supervise, classpath,
        Layout.LOOPBACK);
  }

  public LocalCluster(int nodeCount, Path baseDir, Path config, int clusterPort, int grpcPort, int metricsPort,
      Path logDir, List<String> jvmOptions, boolean supervise, String classpath, Layout layout) throws IOException {
    this(nodeCount, 0, baseDir, config, clusterPort, grpcPort, metricsPort, logDir, jvmOptions, supervise, classpath,
        layout);
  }

  /**
   * @param spareCount nodes started after the {@code nodeCount} listed ones (ids and ports go on
   *     from theirs), not in {@code --nodes} and not seeds: spares that hold nothing until {@code
   *     chronik node add}
   */
  public LocalCluster(int nodeCount, int spareCount, Path baseDir, Path config, int clusterPort, int grpcPort,
      int metricsPort, Path logDir, List<String> jvmOptions, boolean supervise, String classpath, Layout layout)
      throws IOException {
    this(nodeCount, spareCount, baseDir, config, clusterPort, grpcPort, metricsPort, 0, logDir, jvmOptions, supervise,
        classpath, layout);
  }

  /**
   * @param kafkaPort the first node's Kafka listener port, the others following; 0: no listener.
   *     Each node is then its own rack (its id), so a Kafka client with {@code client.rack=node-2}
   *     fetches from node-2.
   */
  public LocalCluster(int nodeCount, int spareCount, Path baseDir, Path config, int clusterPort, int grpcPort,
      int metricsPort, int kafkaPort, Path logDir, List<String> jvmOptions, boolean supervise, String classpath,
      Layout layout) throws IOException {
    if (nodeCount < 1) throw new IllegalArgumentException("--nodes must be at least 1");
    this.layout = layout;
    this.grpcPort = grpcPort;
    this.metricsPort = metricsPort;
    this.logDir = logDir;
    this.supervise = supervise;
    this.processes = new Process[nodeCount + spareCount];
    List<String> seeds = new ArrayList<>();
    for (int i = 1; i <= nodeCount; i++) {
      ids.add("node-" + i);
      seeds.add(layout.host(i - 1) + ":" + (clusterPort + i - 1));
    }
    List<String> listed = List.copyOf(ids);
    for (int i = nodeCount + 1; i <= nodeCount + spareCount; i++) ids.add("node-" + i);
    if (logDir != null) Files.createDirectories(logDir);
    StartupArchive.Launch launch = StartupArchive.forNodes(classpath);
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      List<String> cmd = new ArrayList<>(layout.launcher(i));
      cmd.addAll(List.of(javaBinary(), "-Xmx512m", "-XX:+UseSerialGC"));
      cmd.addAll(launch.jvmOptions());
      for (String option : jvmOptions) cmd.add(option.replace("{node}", id));
      cmd.addAll(List.of("-cp", launch.classpath(), MAIN_CLASS, "server", "--config", config.toString(),
          "--node-id", id, "--data-dir", baseDir.resolve(id).toString(), "--host", layout.host(i),
          "--cluster-port", String.valueOf(clusterPort + i),
          "--grpc-port", String.valueOf(grpcPort + i), "--metrics-port", String.valueOf(metricsPort(i)),
          "--seeds", String.join(",", seeds), "--nodes", String.join(",", listed)));
      if (kafkaPort > 0) cmd.addAll(List.of("--kafka-port", String.valueOf(kafkaPort + i), "--rack", id));
      commands.add(List.copyOf(cmd));
    }
    for (int i = 0; i < ids.size(); i++) start(i);
  }

  public List<String> ids() {
    return ids;
  }

  public int size() {
    return ids.size();
  }

  public int grpcPort(int index) {
    return grpcPort + index;
  }

  public String host(int index) {
    return layout.host(index);
  }

  /** 0 when metrics are off. */
  public int metricsPort(int index) {
    return metricsPort == 0 ? 0 : metricsPort + index;
  }

  /** The current process of each node (a restarted node has a new one). */
  public synchronized List<Process> processes() {
    return List.of(processes);
  }

  public synchronized Process process(int index) {
    return processes[index];
  }

  public synchronized boolean running(int index) {
    return processes[index] != null && processes[index].isAlive();
  }

  /** Starts node {@code index} (again) on its data directory; it must not be running. */
  public synchronized void start(int index) throws IOException {
    if (running(index)) throw new IllegalStateException(ids.get(index) + " is already running");
    String id = ids.get(index);
    ProcessBuilder builder = new ProcessBuilder(commands.get(index)).redirectErrorStream(true);
    if (logDir != null) {
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(id + ".log").toFile()));
    }
    Process p = builder.start();
    processes[index] = p;
    if (logDir == null) pipe(id, p);
    if (supervise) p.onExit().thenAccept(this::onExit);
  }

  private void onExit(Process p) {
    int index;
    synchronized (this) {
      index = List.of(processes).indexOf(p);
    }
    if (closing || index < 0 || p.exitValue() == 0) return;
    System.out.printf("[%s] exited with status %d; starting it again on its data (supervisor)%n", ids.get(index),
        p.exitValue());
    try {
      Thread.sleep(1000); // a supervisor's restart delay, on the exit-notification thread
      synchronized (this) {
        if (!closing && processes[index] == p) start(index);
      }
    } catch (Exception e) {
      System.out.printf("[%s] could not be started again: %s%n", ids.get(index), e);
    }
  }

  /** kill -9: the node dies at once, with whatever it had not made durable. */
  public synchronized void kill(int index) throws InterruptedException {
    Process p = processes[index];
    if (p == null) return;
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, as Ctrl-C or an orchestrator stops a node, and waits until it exited; returns its status. */
  public int stop(int index) throws InterruptedException {
    Process p = process(index);
    if (p == null || !p.isAlive()) return p == null ? 0 : p.exitValue();
    p.destroy();
    if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    return p.exitValue();
  }

  /** SIGSTOP: the process freezes (a long GC pause, a stalled VM) until {@link #resume}. */
  public void pause(int index) throws IOException, InterruptedException {
    signal(index, "STOP");
  }

  public void resume(int index) throws IOException, InterruptedException {
    signal(index, "CONT");
  }

  private void signal(int index, String signal) throws IOException, InterruptedException {
    Process p = process(index);
    if (p == null || !p.isAlive()) return;
    int code = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start().waitFor();
    if (code != 0) throw new IOException("kill -" + signal + " " + p.pid() + " failed with status " + code);
  }

  /** Waits until every partition has a leader; fails at once when a node process exits. */
  public StatusResponse awaitLeaders(ChronikClient client, int seconds) throws Exception {
    return awaitStatus(client, seconds,
        s -> !s.getPartitionsList().isEmpty() && s.getPartitionsList().stream().noneMatch(p -> p.getLeader().isEmpty()),
        s -> s.getPartitionsList().stream().filter(p -> p.getLeader().isEmpty()).map(PartitionStatus::getPartition)
            .toList() + " without a leader")
        .orElseThrow(last -> new IllegalStateException("the cluster did not elect leaders within " + seconds + " s: "
            + last));
  }

  /**
   * Waits until every node is a member of the Akka Cluster that is up, as the node {@code client}
   * talks to sees them. Replicas talk as soon as their nodes have exchanged addresses, often before
   * that. Returns whether it happened within {@code seconds}.
   */
  public boolean awaitMembers(ChronikClient client, int seconds) throws Exception {
    return awaitStatus(client, seconds,
        s -> s.getNodeStatesList().stream().allMatch(n -> n.getState().equals("self") || n.getState().equals("up")),
        s -> "nodes not up: " + s.getNodeStatesList().stream()
            .filter(n -> !n.getState().equals("self") && !n.getState().equals("up")).map(n -> n.getNode()).toList())
        .reached();
  }

  /** Asks {@code client} for the status every half second until {@code done} holds or {@code seconds} pass. */
  private Awaited awaitStatus(ChronikClient client, int seconds, Predicate<StatusResponse> done,
      Function<StatusResponse, String> whyNot) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < size(); i++) {
        Process p = process(i);
        if (p != null && !p.isAlive() && !supervise) {
          throw new IllegalStateException(ids.get(i) + " exited with code " + p.exitValue() + "; see its output");
        }
      }
      try {
        StatusResponse s = client.status(StatusRequest.getDefaultInstance()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        if (done.test(s)) return new Awaited(s, last);
        last = whyNot.apply(s);
      } catch (Exception e) {
        last = e.getMessage();
      }
      Thread.sleep(500); // a person waiting for the cluster to come up
    }
    return new Awaited(null, last);
  }

  /** The status that met the condition (null: none did in time), and what was missing last. */
  private record Awaited(StatusResponse status, String last) {
    boolean reached() {
      return status != null;
    }

    StatusResponse orElseThrow(Function<String, RuntimeException> failure) {
      if (status == null) throw failure.apply(last);
      return status;
    }
  }

  /** SIGTERM to every node (each hands over and leaves cleanly), then waits; kills what does not stop in 30 s. */
  @Override
  public void close() {
    closing = true;
    List<Process> all = processes();
    for (Process p : all) if (p != null && p.isAlive()) p.destroy();
    for (Process p : all) {
      if (p == null) continue;
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
  public static String classpath() throws IOException {
    Path file = Path.of("target", "classpath.txt");
    if (Files.isRegularFile(file) && Files.isDirectory(Path.of("target", "classes"))) {
      return Path.of("target", "classes").toAbsolutePath() + File.pathSeparator + Files.readString(file).trim();
    }
    return System.getProperty("java.class.path");
  }
}
