package io.chronik.raft.bench;

import akka.actor.typed.ActorSystem;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.grpc.ChronikClient;
import io.chronik.raft.api.grpc.GetRequest;
import io.chronik.raft.api.grpc.PartitionStatus;
import io.chronik.raft.api.grpc.PingRequest;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.PutRequest;
import io.chronik.raft.api.grpc.ReadPolicy;
import io.chronik.raft.api.grpc.StatusRequest;
import io.chronik.raft.api.grpc.StatusResponse;
import io.chronik.raft.client.GrpcClients;
import io.chronik.raft.launcher.LocalCluster;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark: closed-loop gRPC clients against a cluster of node processes on loopback (or
 * an existing cluster), every cell side by side in one run, with the RPC layer's own ceiling (a
 * no-op call) measured by the same clients. Writes results.csv, results.json and report.md.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark writes and reads (per read policy, served by the leader or by followers) over gRPC "
        + "against a local cluster of node processes it starts (or --connect to one), beside a no-op RPC "
        + "(the RPC layer's ceiling). Prints one table and writes results.csv, results.json and report.md to --out. "
        + "--quick: a smoke run of about a minute; the default is the full run for the report.")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--quick", description = "Short warm-up and windows: checks the command works, not the speed.")
  boolean quick;

  @Option(names = "--nodes", defaultValue = "3", description = "Nodes of the main run (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--scaling-nodes", split = ",", description = "Node counts whose read costs are measured for the "
      + "derived scale-out curve (default: 5,7 in a full run, none with --quick).")
  List<Integer> scalingNodes;

  @Option(names = "--read-clients", split = ",", defaultValue = "16,64",
      description = "Concurrent readers per read cell (default: ${DEFAULT-VALUE}).")
  List<Integer> readClients;

  @Option(names = "--write-clients", split = ",", defaultValue = "1,16,64",
      description = "Concurrent producers per write cell (default: ${DEFAULT-VALUE}).")
  List<Integer> writeClients;

  @Option(names = "--only", split = ",", description = "Run only these workloads of the main run: ping, write, read "
      + "(default: all).")
  List<String> only;

  @Option(names = "--warmup", description = "Warm-up seconds per cell (default: 3; --quick: 1).")
  Double warmup;

  @Option(names = "--seconds", description = "Measured seconds per cell (default: 10; --quick: 2).")
  Double seconds;

  @Option(names = "--jit-warmup", description = "At most this many seconds of every cell's load at once before the "
      + "first cell; it ends earlier (after 30 s at least) once no node's JIT compiles more than 2 %% of the time "
      + "(default: 300 for the main run, 150 for the scaling runs; --quick: 5).")
  Double jitWarmup;

  @Option(names = "--cell-settle", description = "At most this many more seconds of each cell's own load before "
      + "its window, in 2-s steps, while a node's JIT compiles more than 10 %% of the time (a change of load "
      + "recompiles hot paths; default: 20; --quick: 0).")
  Double cellSettle;

  @Option(names = "--record-bytes", defaultValue = "100", description = "Bytes per produced record and per value read.")
  int recordBytes;

  @Option(names = "--out", defaultValue = "target/bench", description = "Directory for the results (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--base-dir", defaultValue = "target/bench-data",
      description = "Data directories of the started nodes; emptied before and after (default: ${DEFAULT-VALUE}).")
  Path baseDir;

  @Option(names = "--cluster-port", defaultValue = "2651", description = "First started node's cluster port.")
  int clusterPort;

  @Option(names = "--grpc-port", defaultValue = "9191", description = "First started node's gRPC port.")
  int grpcPort;

  @Option(names = "--metrics-port", defaultValue = "9564", description = "First started node's metrics port.")
  int metricsPort;

  @Option(names = "--config", defaultValue = "application.conf", description = "Base configuration of started nodes.")
  Path config;

  @Option(names = "--node-jvm-options", split = " ", description = "Extra JVM options of the started nodes, "
      + "space-separated; {node} becomes the node id (e.g. -XX:StartFlightRecording=filename=target/{node}.jfr).")
  List<String> nodeJvmOptions = List.of();

  @Option(names = "--connect", split = ",", description = "Benchmark a running cluster instead: every node's gRPC "
      + "host:port, in the same order as --connect-metrics.")
  List<String> connect;

  @Option(names = "--connect-metrics", split = ",", description = "With --connect: every node's metrics host:port "
      + "(without them the cost columns stay empty).")
  List<String> connectMetrics;

  @Option(names = "--kv-topic", defaultValue = "bench-kv", description = "Key-value topic read (partition 0).")
  String kvTopic;

  @Option(names = "--log-topic", defaultValue = "bench-log", description = "Record-log topic written (partition 0).")
  String logTopic;

  private static final String KEY = "bench-key";

  @Override
  public Integer call() throws Exception {
    double cellWarmup = warmup != null ? warmup : quick ? 1 : 3;
    double cellSeconds = seconds != null ? seconds : quick ? 2 : 10;
    double jit = jitWarmup != null ? jitWarmup : quick ? 5 : 300;
    settle = cellSettle != null ? cellSettle : quick ? 0 : 20;
    List<Integer> scaling = scalingNodes != null ? scalingNodes : quick || connect != null ? List.of() : List.of(5, 7);
    if (connect != null && !scaling.isEmpty()) throw new IllegalArgumentException("--scaling-nodes starts clusters; "
        + "it cannot be combined with --connect");
    List<String> args = new ArrayList<>(List.of("bench"));
    if (quick) args.add("--quick");
    if (nodes != 3) args.add("--nodes " + nodes);
    BenchReport report = new BenchReport(String.join(" ", args), cellWarmup, cellSeconds, jit, settle, recordBytes);

    List<BenchRow> rows = new ArrayList<>();
    rows.addAll(measure(nodes, mainCells(), cellWarmup, cellSeconds, jit));
    boolean scalingFailed = false;
    for (int n : scaling) {
      try {
        rows.addAll(measure(n, List.of(new Cell("read", "safe", "follower", 64),
            new Cell("read", "none", "follower", 64), new Cell("read", "safe", "leader", 64)), cellWarmup, cellSeconds,
            Math.min(jit, 150)));
      } catch (Exception e) {
        // The main run's results are not lost for a scaling run that could not be measured.
        scalingFailed = true;
        System.out.printf("the %d-node scaling run failed: %s; the report has the runs that completed%n", n, e);
      }
    }
    report.write(rows, nodes, out);
    return !scalingFailed && rows.stream().allMatch(r -> r.ok() > 0) ? 0 : 1;
  }

  /** Seconds each cell may run on before its window while the JIT is busy (from --cell-settle). */
  private double settle;

  record Cell(String workload, String policy, String servedBy, int clients) {}

  private List<Cell> mainCells() {
    List<Cell> cells = new ArrayList<>();
    if (only != null && !Set.of("ping", "write", "read").containsAll(only)) {
      throw new IllegalArgumentException("--only takes ping, write and read; got " + only);
    }
    for (int c : writeClients) cells.add(new Cell("write", "-", "leader", c));
    for (int c : readClients) {
      for (String servedBy : List.of("follower", "leader")) {
        for (String policy : List.of("safe", "unsafe", "none")) cells.add(new Cell("read", policy, servedBy, c));
      }
    }
    // Last, when the JIT has compiled everything: the ceiling should be the best the RPC layer does.
    for (int c : readClients) cells.add(new Cell("ping", "-", "follower", c));
    return cells.stream().filter(c -> only == null || only.contains(c.workload())).toList();
  }

  private List<BenchRow> measure(int nodeCount, List<Cell> cells, double cellWarmup, double cellSeconds, double jit)
      throws Exception {
    LocalCluster cluster = null;
    List<String> grpc = new ArrayList<>();
    List<String> metrics = new ArrayList<>();
    Path dataDir = baseDir.resolve(nodeCount + "-nodes");
    if (connect == null) {
      deleteRecursively(dataDir);
      Files.createDirectories(dataDir);
      Path conf = dataDir.resolve("bench.conf");
      Files.writeString(conf, benchConfig(nodeCount));
      cluster = new LocalCluster(nodeCount, dataDir, conf, clusterPort, grpcPort, metricsPort, dataDir.resolve("logs"),
          nodeJvmOptions, false);
      for (int i = 0; i < nodeCount; i++) {
        grpc.add("127.0.0.1:" + cluster.grpcPort(i));
        metrics.add("127.0.0.1:" + cluster.metricsPort(i));
      }
      System.out.printf("== %d nodes: started %s (logs in %s); waiting for leaders ...%n", nodeCount, cluster.ids(),
          dataDir.resolve("logs"));
    } else {
      grpc.addAll(connect);
      if (connectMetrics != null) metrics.addAll(connectMetrics);
      System.out.printf("== connecting to %s ...%n", grpc);
    }
    LocalCluster started = cluster;
    Thread stopper = new Thread(() -> {
      if (started != null) started.close();
    }, "chronik-bench-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    ActorSystem<Void> system = GrpcClients.system("chronik-bench");
    List<ChronikClient> clients = new ArrayList<>();
    try {
      for (String target : grpc) {
        String[] hp = target.split(":");
        clients.add(GrpcClients.connect(system, hp[0], Integer.parseInt(hp[1])));
      }
      if (cluster != null) cluster.awaitLeaders(clients.get(0), 120);
      Session s = new Session(nodeCount, clients, metrics);
      s.refreshLeaders();
      s.preload();
      System.out.printf("leaders: %s-0 on %s, %s-0 on %s; JIT warm-up (at most %.0f s) of every cell's load ...%n", kvTopic,
          s.nodeIds.get(s.kvLeader), logTopic, s.nodeIds.get(s.logLeader), jit);
      // Every cell's requests at once, until the JIT has compiled each path: on 2 busy cores it
      // needs minutes, and compiler threads took half a follower's CPU in a cell measured after
      // 60 s of warm-up. Steady state: under 2 % of the time compiling on every node.
      List<IntFunction<CompletionStage<?>>> all = cells.stream().map(s::requestFor).toList();
      double warmed = 0;
      Snapshot before = s.snapshot();
      while (warmed < jit) {
        double chunk = Math.min(10, jit - warmed);
        new ClosedLoop(64, 0, chunk).run(i -> all.get(i % all.size()).apply(i), () -> {}, () -> {});
        warmed += chunk;
        Snapshot after = s.snapshot();
        List<Double> compiling = new ArrayList<>();
        for (int n = 0; n < nodeCount; n++) compiling.add(before.jitPercent(after, n, chunk));
        System.out.printf("  warm-up %3.0f s: JIT compiling %s %% of the time per node%n", warmed,
            compiling.stream().map(c -> String.format(java.util.Locale.ROOT, "%.1f", c)).toList());
        before = after;
        if (warmed >= minJitWarmup(jit) && compiling.stream().allMatch(c -> c < JIT_SETTLED_PERCENT)) break;
      }
      s.measureIdle(quick ? 0 : 5);
      List<BenchRow> rows = new ArrayList<>();
      for (Cell cell : cells) {
        s.refreshLeaders();
        BenchRow row = s.run(cell, cellWarmup, cellSeconds);
        System.out.printf("  %-28s %9.0f ops/s  p50 %6.2f ms  p99 %7.2f ms  errors %d%s%s%n", row.label(),
            row.opsPerSecond(), row.p50Ms(), row.p99Ms(), row.errors(),
            s.lastError == null ? "" : " (first: " + s.lastError + ")",
            row.jitBusy() ? String.format(java.util.Locale.ROOT, "  (a node's JIT compiled %.0f %% of the time: "
                + "not steady state)", row.jitPercentMax()) : "");
        rows.add(row);
      }
      return rows;
    } finally {
      for (ChronikClient c : clients) c.close();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (cluster != null) {
        cluster.close();
        Runtime.getRuntime().removeShutdownHook(stopper);
        for (String id : cluster.ids()) deleteRecursively(dataDir.resolve(id)); // the logs stay
      }
    }
  }

  /** The warm-up ends once every node compiles less than this % of the time (steady state). */
  private static final double JIT_SETTLED_PERCENT = 2.0;

  /** Warm up at least this long even when the JIT looks idle early (a path may not have run yet). */
  private static double minJitWarmup(double max) {
    return Math.min(max, 30);
  }

  private String benchConfig(int nodeCount) {
    return "include file(\"" + config.toAbsolutePath().toString().replace("\\", "\\\\") + "\")\n"
        + "chronik.topics = [\n"
        + "  { name = " + kvTopic + ", partitions = 1, replication-factor = " + nodeCount + ", state-machine = key-value }\n"
        + "  { name = " + logTopic + ", partitions = 1, replication-factor = " + nodeCount
        + ", state-machine = record-log }\n]\n";
  }

  /** One connected cluster: its clients, which node leads what, and the cells run against it. */
  private final class Session {
    final int nodeCount;
    final List<ChronikClient> clients;
    final List<String> metrics;
    final List<String> nodeIds = new ArrayList<>();
    static final int LEADER_WAIT_SECONDS = 30;
    int kvLeader;
    int logLeader;
    String lastError;
    final ByteString record = ByteString.copyFrom(new byte[recordBytes]);

    Session(int nodeCount, List<ChronikClient> clients, List<String> metrics) throws Exception {
      this.nodeCount = nodeCount;
      this.clients = clients;
      this.metrics = metrics;
      for (ChronikClient c : clients) {
        nodeIds.add(c.ping(PingRequest.getDefaultInstance()).toCompletableFuture().get(30, TimeUnit.SECONDS).getNodeId());
      }
    }

    /** CPU each node uses with no load (heartbeats, cluster gossip): subtracted from every cell's CPU. */
    double[] idleCpuPerSecond;

    void measureIdle(double seconds) throws InterruptedException {
      idleCpuPerSecond = new double[nodeCount];
      if (seconds == 0) {
        System.out.println("  idle CPU not measured (--quick: the JIT is still busy, it would not be idle)");
        return;
      }
      Snapshot before = snapshot();
      Thread.sleep((long) (seconds * 1000)); // a quiet window, measured
      Snapshot after = snapshot();
      List<String> shown = new ArrayList<>();
      for (int n = 0; n < nodeCount; n++) {
        double idle = before.cpuDelta(after, n) / seconds;
        idleCpuPerSecond[n] = Double.isNaN(idle) ? 0 : idle;
        shown.add(String.format(java.util.Locale.ROOT, "%.1f", idleCpuPerSecond[n] * 100));
      }
      System.out.printf("  idle CPU per node (%% of a core, subtracted from the cells' costs): %s%n", shown);
    }

    /** CPU seconds node {@code n} spent on the cell's load in the window: measured minus idle. */
    double busyCpu(Snapshot from, Snapshot to, int n, double seconds) {
      return Math.max(0, from.cpuDelta(to, n) - idleCpuPerSecond[n] * seconds);
    }

    /**
     * Where both partitions' leaders are now. A leadership can be in flight (a young cluster hands
     * leaderships to their preferred nodes): asked again for up to {@link #LEADER_WAIT_SECONDS}.
     */
    void refreshLeaders() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LEADER_WAIT_SECONDS);
      while (true) {
        StatusResponse status = clients.get(0).status(StatusRequest.getDefaultInstance()).toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
        int kv = leaderIndex(status, kvTopic + "-0");
        int log = leaderIndex(status, logTopic + "-0");
        if (kv >= 0 && log >= 0) {
          kvLeader = kv;
          logLeader = log;
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("partition " + (kv < 0 ? kvTopic : logTopic) + "-0 had no leader among "
              + nodeIds + " for " + LEADER_WAIT_SECONDS + " s (see the nodes' logs)");
        }
        Thread.sleep(200); // the next status poll, not a wait for a condition this thread could observe
      }
    }

    /** The index of {@code partition}'s leader in {@link #nodeIds}; -1 while it has none. */
    private int leaderIndex(StatusResponse status, String partition) {
      String leader = status.getPartitionsList().stream().filter(p -> p.getPartition().equals(partition))
          .map(PartitionStatus::getLeader).findFirst()
          .orElseThrow(() -> new IllegalStateException("the cluster has no partition " + partition
              + "; create the topic or pass --kv-topic/--log-topic"));
      return leader.isEmpty() ? -1 : nodeIds.indexOf(io.chronik.raft.core.Configuration.nodeOf(leader));
    }

    void preload() throws Exception {
      clients.get(kvLeader).put(PutRequest.newBuilder().setTopic(kvTopic).setPartition(0).setKey(KEY)
          .setValue(record).build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The node client {@code i} calls: the leader, or one of the followers round-robin. */
    ChronikClient target(int i, String servedBy, int leader) {
      if (servedBy.equals("leader") || nodeCount == 1) return clients.get(leader);
      int f = i % (nodeCount - 1);
      return clients.get(f >= leader ? f + 1 : f);
    }


    CompletionStage<?> ping(int i) {
      return target(i, "follower", kvLeader).ping(PingRequest.getDefaultInstance());
    }

    CompletionStage<?> read(int i, ReadPolicy policy, String servedBy) {
      return target(i, servedBy, kvLeader).get(GetRequest.newBuilder().setTopic(kvTopic).setPartition(0).setKey(KEY)
          .setReadPolicy(policy).build());
    }

    CompletionStage<?> write() {
      return clients.get(logLeader).produce(ProduceRequest.newBuilder().setTopic(logTopic).setPartition(0)
          .addRecords(record).build());
    }

    IntFunction<CompletionStage<?>> requestFor(Cell cell) {
      ReadPolicy policy = switch (cell.policy()) {
        case "safe" -> ReadPolicy.READ_POLICY_SAFE;
        case "unsafe" -> ReadPolicy.READ_POLICY_UNSAFE;
        default -> ReadPolicy.READ_POLICY_NONE;
      };
      return switch (cell.workload()) {
        case "ping" -> this::ping;
        case "write" -> i -> write();
        default -> i -> read(i, policy, cell.servedBy());
      };
    }

    BenchRow run(Cell cell, double cellWarmup, double cellSeconds) throws Exception {
      IntFunction<CompletionStage<?>> request = requestFor(cell);
      settleJit(cell, request);
      Snapshot[] at = new Snapshot[2];
      ClosedLoop.Measured m = new ClosedLoop(cell.clients(), cellWarmup, cellSeconds)
          .run(request, () -> at[0] = snapshot(), () -> at[1] = snapshot());
      lastError = m.firstError();
      int leader = cell.workload().equals("write") ? logLeader : kvLeader;
      String partition = "partition=\"" + (cell.workload().equals("write") ? logTopic : kvTopic) + "-0\"";
      double ops = Math.max(1, m.ok());
      double leaderCpu = busyCpu(at[0], at[1], leader, m.seconds());
      double followerCpu = 0;
      for (int n = 0; n < nodeCount; n++) if (n != leader) followerCpu += busyCpu(at[0], at[1], n, m.seconds());
      double rounds = at[0].delta(at[1], leader, "chronik_readindex_rounds_total", partition);
      double messages = at[0].delta(at[1], leader, "chronik_raft_messages_sent_total", partition)
          + at[0].delta(at[1], leader, "chronik_raft_messages_received_total", partition);
      double writes = at[0].delta(at[1], leader, "chronik_storage_writes_total", partition);
      double entries = at[0].delta(at[1], leader, "chronik_storage_entries_total", partition);
      boolean read = cell.workload().equals("read");
      WriteStages stages = cell.workload().equals("write") ? writeStages(at[0], at[1], leader, partition) : WriteStages.NONE;
      double jitMax = at[0].busiestJitPercent(at[1], nodeCount, m.seconds());
      return new BenchRow(nodeCount, cell.workload(), cell.policy(), cell.servedBy(), cell.clients(), m.ok(),
          m.errors(), m.perSecond(), m.percentileMillis(50), m.percentileMillis(99), m.percentileMillis(99.9),
          read ? rounds * 1000 / ops : Double.NaN, leaderCpu * 1e6 / ops, followerCpu * 1e6 / ops,
          cell.workload().equals("ping") ? Double.NaN : messages / ops,
          cell.workload().equals("write") ? entries / Math.max(1, writes) : Double.NaN,
          (at[1].clientCpuNanos - at[0].clientCpuNanos) / 1e6 * 1000 / ops, jitMax, stages);
    }

    /**
     * The cell's own load in 2-s steps, at most {@link #settle} seconds, until no node's JIT compiles
     * more than {@link BenchRow#JIT_BUSY_PERCENT} of a step: the warm-up ran every cell's load at
     * once, and one load alone takes other branches and types, which deoptimizes and recompiles
     * the hot paths for a while.
     */
    private void settleJit(Cell cell, IntFunction<CompletionStage<?>> request) throws Exception {
      double step = 2;
      double settled = 0;
      Snapshot before = snapshot();
      while (settled < settle) {
        new ClosedLoop(cell.clients(), 0, step).run(request, () -> {}, () -> {});
        settled += step;
        Snapshot after = snapshot();
        double busiest = before.busiestJitPercent(after, nodeCount, step);
        before = after;
        // Without the nodes' metrics there is nothing to wait for.
        if (Double.isNaN(busiest) || busiest <= BenchRow.JIT_BUSY_PERCENT) return;
      }
    }

    private static final String STAGES = "chronik_write_stage_seconds";

    /** Each stage's mean over the window: the leader's own stages on the leader, the followers' together. */
    private WriteStages writeStages(Snapshot before, Snapshot after, int leader, String partition) {
      String follower = "stage=\"follower-append\"";
      double followerSum = 0;
      double followerCount = 0;
      for (int n = 0; n < nodeCount; n++) {
        if (n == leader) continue;
        followerSum += before.delta(after, n, STAGES + "_sum", follower, partition);
        followerCount += before.delta(after, n, STAGES + "_count", follower, partition);
      }
      return new WriteStages(before.meanMs(after, leader, STAGES, "stage=\"storage\"", partition),
          before.meanMs(after, leader, STAGES, "stage=\"leader-durable\"", partition),
          WriteStages.meanMs(followerSum, followerCount),
          before.meanMs(after, leader, STAGES, "stage=\"committed\"", partition),
          before.meanMs(after, leader, "chronik_grpc_server_requests_seconds", "method=\"Produce\""));
    }

    Snapshot snapshot() {
      List<PrometheusScrape> scrapes = new ArrayList<>();
      for (String m : metrics) {
        try {
          scrapes.add(PrometheusScrape.fetch(m));
        } catch (RuntimeException e) {
          scrapes.add(PrometheusScrape.EMPTY);
        }
      }
      return new Snapshot(scrapes, clientCpuNanos());
    }
  }

  /** Every node's metrics and this process's CPU time at one instant. */
  private record Snapshot(List<PrometheusScrape> nodes, long clientCpuNanos) {
    /** Seconds of CPU node {@code n} used between this snapshot and {@code later}; NaN without metrics. */
    double cpuDelta(Snapshot later, int n) {
      return delta(later, n, "process_cpu_seconds_total");
    }

    /** The share of {@code seconds} node {@code n}'s JIT spent compiling, in %. */
    double jitPercent(Snapshot later, int n, double seconds) {
      return delta(later, n, "jvm_compilation_time_ms_total") / seconds / 10;
    }

    /** The most any of the first {@code nodeCount} nodes' JIT compiled over {@code seconds}, in %; NaN without metrics. */
    double busiestJitPercent(Snapshot later, int nodeCount, double seconds) {
      double busiest = Double.NaN;
      for (int n = 0; n < nodeCount; n++) {
        double busy = jitPercent(later, n, seconds);
        if (!Double.isNaN(busy)) busiest = Double.isNaN(busiest) ? busy : Math.max(busiest, busy);
      }
      return busiest;
    }

    /** The mean in ms of histogram {@code name} on node {@code n} between this snapshot and {@code later}. */
    double meanMs(Snapshot later, int n, String name, String... labels) {
      return WriteStages.meanMs(delta(later, n, name + "_sum", labels), delta(later, n, name + "_count", labels));
    }

    double delta(Snapshot later, int n, String name, String... labels) {
      if (n >= nodes.size() || n >= later.nodes.size() || nodes.get(n).series().isEmpty()
          || later.nodes.get(n).series().isEmpty()) {
        return Double.NaN;
      }
      return later.nodes.get(n).sum(name, labels) - nodes.get(n).sum(name, labels);
    }
  }

  private static long clientCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : 0;
  }

  static void deleteRecursively(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
