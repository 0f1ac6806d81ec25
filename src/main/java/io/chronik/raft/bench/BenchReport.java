package io.chronik.raft.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Renders the benchmark's rows: the console table, results.csv, results.json, and report.md with
 * the machine, the command, every target with its verdict, and the derived scale-out curve.
 */
final class BenchReport {
  private final String command;
  private final double warmup;
  private final double seconds;
  private final double jitWarmup;
  private final double settle;
  private final int recordBytes;

  BenchReport(String command, double warmup, double seconds, double jitWarmup, double settle, int recordBytes) {
    this.command = command;
    this.warmup = warmup;
    this.seconds = seconds;
    this.jitWarmup = jitWarmup;
    this.settle = settle;
    this.recordBytes = recordBytes;
  }

  void write(List<BenchRow> rows, int mainNodes, Path out) throws IOException {
    List<BenchRow> main = rows.stream().filter(r -> r.nodes() == mainNodes).toList();
    String table = table(main);
    String stages = stagesTable(main);
    System.out.println();
    System.out.println(table);
    if (!stages.isEmpty()) System.out.println("\n" + stages);
    List<String> verdicts = targets(main);
    verdicts.forEach(System.out::println);
    Files.createDirectories(out);
    Files.writeString(out.resolve("results.csv"), BenchRow.CSV_HEADER + "\n"
        + rows.stream().map(BenchRow::csv).collect(Collectors.joining("\n")) + "\n");
    Files.writeString(out.resolve("results.json"), "{\"command\":\"" + command + "\",\"machine\":\""
        + machine().replace("\"", "'") + "\",\"rows\":[\n" + rows.stream().map(BenchRow::json)
        .collect(Collectors.joining(",\n")) + "\n]}\n");
    Files.writeString(out.resolve("report.md"), markdown(rows, main, table + (stages.isEmpty() ? "" : "\n\n" + stages),
        verdicts, mainNodes));
    System.out.printf("%nwrote %s, %s and %s%n", out.resolve("results.csv"), out.resolve("results.json"),
        out.resolve("report.md"));
  }

  private String markdown(List<BenchRow> rows, List<BenchRow> main, String table, List<String> verdicts,
      int mainNodes) {
    StringBuilder md = new StringBuilder();
    md.append("# chronik-raft benchmark report\n\n");
    md.append("Generated ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .append(" by `./mvnw -q compile exec:java -Dexec.args=\"").append(command).append("\"`.\n\n");
    md.append("- Machine: ").append(machine()).append('\n');
    md.append("- Cluster: ").append(mainNodes).append(" node processes on 127.0.0.1 (one JVM each, -Xmx512m, "
        + "SerialGC), embedded LevelDB journal with fsync on; the clients in the benchmark's own JVM, one "
        + "HTTP/2 connection per node, every client closed-loop with one request in flight.\n");
    md.append(String.format(Locale.ROOT, "- Each cell: its own load while a node's JIT compiles more than %.0f %% of "
        + "the time (at most %.0f s), %.0f s warm-up, then %.0f s measured; before the first cell, "
        + "every cell's load at once until the JIT settled (at most %.0f s; the console shows how long it took). "
        + "Records and values of %d bytes; reads get one key, writes produce one record per request.%n",
        BenchRow.JIT_BUSY_PERCENT, settle, warmup, seconds, jitWarmup, recordBytes));
    md.append("- `ping` is a no-op RPC answered by the node without touching a replica: the ceiling of the RPC "
        + "layer with the same clients, in the same run. `@follower`: each client calls one of the followers "
        + "(round-robin); `@leader`: every client calls the leader.\n");
    md.append("- Costs are deltas of the nodes' own metrics over the measured window: CPU time of the "
        + "partition leader's process and of all other nodes (minus what each uses idle, measured before the "
        + "first cell; not in --quick runs), Raft messages the leader sent and received for the partition, ReadIndex rounds the "
        + "leader ran, log entries per storage write. Write cells also show the mean of each stage of a write "
        + "as the nodes measured it (`chronik_write_stage_seconds`): the leader's storage write, a proposal's "
        + "arrival at the leader until its own write is durable, a follower's append until its acknowledgement, "
        + "arrival until committed and answered, and the leader's gRPC Produce call; beside them the client's mean "
        + "(clients / throughput). `JIT %`: the most time any node's JIT spent compiling during the window, in % "
        + "of the window (the JVM's compilation time); `(busy)` past " + (int) BenchRow.JIT_BUSY_PERCENT
        + " %: that cell's throughput and costs include compiling (a change of load deoptimizes and "
        + "recompiles hot paths), so compare it only with care.\n\n");
    md.append("## Results\n\n").append(table).append("\n\n");
    md.append("## Targets\n\n");
    for (String v : verdicts) md.append("- ").append(v).append('\n');
    md.append('\n');
    md.append(scaling(rows));
    return md.toString();
  }

  static String table(List<BenchRow> rows) {
    StringBuilder t = new StringBuilder();
    t.append("| cell | ops/s | p50 ms | p99 ms | p99.9 ms | errors | ReadIndex rounds /1k reads "
        + "| leader CPU ms /1k ops | other nodes CPU ms /1k ops | leader msgs /op | entries /disk write "
        + "| vs ping ceiling | JIT % (busiest node) |\n");
    t.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (BenchRow r : rows) {
      Optional<BenchRow> ping = rows.stream().filter(p -> p.is("ping", "-", "follower", r.clients())).findFirst();
      String vsPing = ping.isPresent() && !r.workload().equals("ping") && ping.get().opsPerSecond() > 0
          ? String.format(Locale.ROOT, "%.2fx", r.opsPerSecond() / ping.get().opsPerSecond()) : "";
      t.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s%s |%n",
          r.label(), r.opsPerSecond(), f(r.p50Ms(), 2), f(r.p99Ms(), 2), f(r.p999Ms(), 2), r.errors(),
          f(r.roundsPer1000Reads(), 1), f(r.leaderCpuMsPer1000(), 0), f(r.followerCpuMsPer1000(), 0),
          f(r.leaderMessagesPerOp(), 2), f(r.entriesPerWrite(), 1), vsPing, f(r.jitPercentMax(), 1),
          r.jitBusy() ? " (busy)" : ""));
    }
    return t.toString().stripTrailing();
  }

  /**
   * Where each write cell's time went: the mean of each stage the nodes measured over the window
   * ({@link WriteStages}) beside the client's own mean (closed loops: clients / throughput, by
   * Little's law); empty when no write cell has any.
   */
  static String stagesTable(List<BenchRow> rows) {
    List<BenchRow> writes = rows.stream().filter(r -> r.workload().equals("write")
        && !Double.isNaN(r.stages().committedMs())).toList();
    if (writes.isEmpty()) return "";
    StringBuilder t = new StringBuilder();
    t.append("| write stages, mean ms | leader storage write | arrival to leader durable | follower append to ack "
        + "| arrival to committed and answered | leader gRPC Produce | client |\n");
    t.append("|---|--:|--:|--:|--:|--:|--:|\n");
    for (BenchRow r : writes) {
      WriteStages s = r.stages();
      double clientMeanMs = r.opsPerSecond() > 0 ? r.clients() * 1000.0 / r.opsPerSecond() : Double.NaN;
      t.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", r.label(), f(s.leaderStorageMs(), 2),
          f(s.leaderDurableMs(), 2), f(s.followerAppendMs(), 2), f(s.committedMs(), 2), f(s.leaderGrpcMs(), 2),
          f(clientMeanMs, 2)));
    }
    return t.toString().stripTrailing();
  }

  /** Every target of issue 5 with its measured value and verdict. */
  static List<String> targets(List<BenchRow> rows) {
    List<String> out = new ArrayList<>(readTargets(rows));
    find(rows, "write", "-", "leader", 64).ifPresent(r -> out.add(verdict("writes >= 7,400/s at 64 producers (etcd 3.4)",
        r.opsPerSecond() >= 7400, String.format(Locale.ROOT, "%,.0f/s, %s entries per disk write", r.opsPerSecond(),
            f(r.entriesPerWrite(), 1)))));
    return out;
  }

  private static List<String> readTargets(List<BenchRow> rows) {
    String workload = "read";
    String tag = "";
    List<String> out = new ArrayList<>();
    Optional<BenchRow> safe16 = find(rows, workload, "safe", "follower", 16);
    Optional<BenchRow> safe64 = find(rows, workload, "safe", "follower", 64);
    Optional<BenchRow> none64 = find(rows, workload, "none", "follower", 64);
    Optional<BenchRow> unsafe64 = find(rows, workload, "unsafe", "follower", 64);
    safe16.ifPresent(r -> {
      out.add(verdict(tag + "safe follower read p50 <= 1 ms at 16 clients", r.p50Ms() <= 1, f(r.p50Ms(), 2) + " ms"));
      out.add(verdict(tag + "safe follower read p99 <= 5 ms at 16 clients", r.p99Ms() <= 5, f(r.p99Ms(), 2) + " ms"));
      out.add(verdict(tag + "safe follower reads >= 9,000/s at 16 clients (1.5x etcd 3.4's ~6,000)",
          r.opsPerSecond() >= 9000, String.format(Locale.ROOT, "%,.0f/s", r.opsPerSecond())));
    });
    if (safe64.isPresent() && none64.isPresent()) {
      double ratio = safe64.get().opsPerSecond() / none64.get().opsPerSecond();
      out.add(verdict(tag + "safe >= 2.5x none (forwarding) at 64 clients", ratio >= 2.5, f(ratio, 2) + "x"));
    }
    if (safe64.isPresent() && unsafe64.isPresent()) {
      double ratio = safe64.get().opsPerSecond() / unsafe64.get().opsPerSecond();
      out.add(verdict(tag + "safe >= 0.8x unsafe at 64 clients", ratio >= 0.8, f(ratio, 2) + "x"));
    }
    safe64.ifPresent(r -> {
      out.add(verdict(tag + "<= 50 ReadIndex rounds per 1,000 follower reads at 64 clients",
          r.roundsPer1000Reads() <= 50, f(r.roundsPer1000Reads(), 1)));
      out.add(verdict(tag + "safe follower reads >= 13,500/s at 64 clients (1.5x etcd 3.4's ~9,000)",
          r.opsPerSecond() >= 13_500, String.format(Locale.ROOT, "%,.0f/s", r.opsPerSecond())));
      out.add(verdict(tag + "safe follower reads >= 7,500/s at 64 clients (1.5x Ratis 3.3's ~5,000)",
          r.opsPerSecond() >= 7_500, String.format(Locale.ROOT, "%,.0f/s", r.opsPerSecond())));
    });
    return out;
  }

  /**
   * The scale-out curve derived from measured costs: with each node on its own core, follower
   * reads are bounded by the leader's CPU per read and by the followers' CPU per read spread over
   * N-1 nodes; forwarded reads by the same for the forwarding path.
   */
  static String scaling(List<BenchRow> rows) {
    List<Integer> ns = rows.stream().map(BenchRow::nodes).distinct().sorted().toList();
    StringBuilder md = new StringBuilder("## Scale-out (derived)\n\n");
    md.append("Measured per read at 64 clients on this machine, then **derived** (not measured) throughput for "
        + "one dedicated core per node: `min(1000 / leader CPU ms per read, (N-1) x 1000 / other nodes' CPU ms "
        + "per read)`. The clients' own CPU is excluded (they would run elsewhere). On 2 shared cores the measured "
        + "CPU per read includes contention, so the derived figures are conservative.\n\n");
    md.append("| nodes | policy @served by | leader CPU ms /1k reads | other nodes CPU ms /1k reads "
        + "| leader msgs /read | derived max reads/s |\n|--:|---|--:|--:|--:|--:|\n");
    List<String> ratios = new ArrayList<>();
    for (int n : ns) {
      Optional<BenchRow> safe = find(rows, n, "read", "safe", "follower", 64);
      Optional<BenchRow> none = find(rows, n, "read", "none", "follower", 64);
      Optional<BenchRow> leader = find(rows, n, "read", "safe", "leader", 64);
      for (Optional<BenchRow> r : List.of(safe, none, leader)) {
        r.ifPresent(x -> md.append(String.format(Locale.ROOT, "| %d | %s @%s | %s | %s | %s | %s |%n", n, x.policy(),
            x.servedBy(), f(x.leaderCpuMsPer1000(), 0), f(x.followerCpuMsPer1000(), 0), f(x.leaderMessagesPerOp(), 2),
            f(derived(x), 0))));
      }
      if (safe.isPresent() && none.isPresent() && leader.isPresent()) {
        ratios.add(String.format(Locale.ROOT, "| %d | %s | %s | %s | %sx | %sx |", n, f(derived(leader.get()), 0),
            f(derived(none.get()), 0), f(derived(safe.get()), 0), f(derived(safe.get()) / derived(leader.get()), 1),
            f(derived(safe.get()) / derived(none.get()), 1)));
      }
    }
    if (!ratios.isEmpty()) {
      md.append("\nDerived throughput vs nodes (the original design claimed 2.5x at 3, 4.0x at 5, 5.5x at 7 nodes):\n\n");
      md.append("| nodes | leader serves (safe) | followers forward (none) | followers serve (safe) "
          + "| safe follower vs leader | safe follower vs forwarding |\n|--:|--:|--:|--:|--:|--:|\n");
      ratios.forEach(r -> md.append(r).append('\n'));
    }
    return md.toString();
  }

  static double derived(BenchRow r) {
    double leader = 1e6 / r.leaderCpuMsPer1000();
    double others = (r.nodes() - 1) * 1e6 / r.followerCpuMsPer1000();
    return Math.min(leader, others);
  }

  private static Optional<BenchRow> find(List<BenchRow> rows, String w, String p, String s, int c) {
    return rows.stream().filter(r -> r.is(w, p, s, c)).findFirst();
  }

  private static Optional<BenchRow> find(List<BenchRow> rows, int n, String w, String p, String s, int c) {
    return rows.stream().filter(r -> r.nodes() == n && r.is(w, p, s, c)).findFirst();
  }

  private static String verdict(String target, boolean met, String measured) {
    return (met ? "MET   " : "MISSED") + "  " + target + ": " + measured;
  }

  private static String f(double v, int decimals) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  static String machine() {
    String cpu = "unknown CPU";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
    } catch (IOException | RuntimeException ignored) {
      // not Linux
    }
    long memGiB = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getTotalMemorySize() >> 30 : -1;
    return String.format(Locale.ROOT, "%d CPU cores (%s), %d GiB RAM, %s %s, Java %s", Runtime.getRuntime()
        .availableProcessors(), cpu, memGiB, System.getProperty("os.name"), System.getProperty("os.version"),
        System.getProperty("java.version"));
  }
}
