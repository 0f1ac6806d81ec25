package io.chronik.raft.server;

import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import io.chronik.raft.cluster.InProcessCluster;
import io.chronik.raft.cluster.PartitionHost.GroupSpec;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.StorageFactory;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.statemachine.RecordLogStateMachine;
import io.chronik.raft.storage.JournalStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Proposal throughput of a 3-replica record-log group in one process, on the real embedded
 * journal: one closed-loop client (no batching possible) side by side with many (writes and
 * AppendEntries coalesce), with the batch sizes that explain the difference.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
    description = "Measure proposal throughput of an in-process 3-replica group on the embedded journal: "
        + "1 client vs --clients clients, side by side, with the measured batch sizes.")
final class ThroughputCommand implements Callable<Integer> {
  private static final List<String> NODES = List.of("node-1", "node-2", "node-3");
  private static final String GROUP = "bench-0";

  @Option(names = "--clients", defaultValue = "64", description = "Concurrent clients of the second run (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--seconds", defaultValue = "5", description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--warmup", defaultValue = "3", description = "Warm-up seconds per run (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--record-bytes", defaultValue = "100", description = "Bytes per record (default: ${DEFAULT-VALUE}).")
  int recordBytes;

  record Result(int clients, double opsPerSecond, double p50Ms, double p99Ms, double entriesPerWrite,
      double entriesPerAppend) {}

  @Override
  public Integer call() throws Exception {
    List<Result> results = new ArrayList<>();
    for (int c : new int[] {1, clients}) {
      System.out.printf("run: %d client(s), %d s warm-up + %d s measured ...%n", c, warmup, seconds);
      results.add(run(c));
    }
    System.out.println();
    System.out.println("| clients | proposals/s | p50 ms | p99 ms | entries per disk write | entries per AppendEntries |");
    System.out.println("|--------:|------------:|-------:|-------:|-----------------------:|--------------------------:|");
    for (Result r : results) {
      System.out.printf("| %7d | %11.0f | %6.2f | %6.2f | %22.1f | %25.1f |%n", r.clients, r.opsPerSecond, r.p50Ms,
          r.p99Ms, r.entriesPerWrite, r.entriesPerAppend);
    }
    System.out.printf("batching speed-up (%d clients vs 1): %.1fx%n", clients,
        results.get(1).opsPerSecond / results.get(0).opsPerSecond);
    return 0;
  }

  private Result run(int clientCount) throws Exception {
    Path dir = Files.createTempDirectory("chronik-throughput-");
    Config config = ChronikConfig.load(Path.of("application.conf"), Map.of("chronik.data-dir", dir.toString()));
    LongAdder writes = new LongAdder();
    LongAdder writtenEntries = new LongAdder();
    String journal = config.getString("chronik.raft.journal-plugin-id");
    InProcessCluster cluster = InProcessCluster.start(config, NODES,
        List.of(new GroupSpec(GROUP, Set.copyOf(NODES), RecordLogStateMachine::new)),
        (node, group) -> counting(JournalStorage.factory(node + "/" + group, journal), node + "/" + group,
            journal, writes, writtenEntries));
    try {
      Status leader = cluster.awaitLeader(GROUP, Duration.ofSeconds(20));
      ByteString command = RecordLogStateMachine.append(List.of(ByteString.copyFrom(new byte[recordBytes])));
      closedLoop(cluster, leader.replicaId(), command, clientCount, warmup, new ConcurrentHistogram(3));
      writes.reset();
      writtenEntries.reset();
      cluster.transportStats.appendEntries.reset();
      cluster.transportStats.appendedEntries.reset();
      Histogram latency = new ConcurrentHistogram(3);
      long done = closedLoop(cluster, leader.replicaId(), command, clientCount, seconds, latency);
      return new Result(clientCount, done / (double) seconds, latency.getValueAtPercentile(50) / 1e6,
          latency.getValueAtPercentile(99) / 1e6, writtenEntries.sum() / (double) Math.max(1, writes.sum()),
          cluster.transportStats.appendedEntries.sum()
              / (double) Math.max(1, cluster.transportStats.appendEntries.sum()));
    } finally {
      cluster.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** {@code clientCount} clients, each with one proposal in flight, for {@code secs} seconds. */
  private static long closedLoop(InProcessCluster cluster, String leader, ByteString command, int clientCount,
      int secs, Histogram latency) throws Exception {
    long end = System.nanoTime() + secs * 1_000_000_000L;
    LongAdder completed = new LongAdder();
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (int i = 0; i < clientCount; i++) {
      CompletableFuture<Void> finished = new CompletableFuture<>();
      proposeLoop(cluster, leader, command, end, completed, latency, finished);
      loops.add(finished);
    }
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get();
    return completed.sum();
  }

  private static void proposeLoop(InProcessCluster cluster, String leader, ByteString command, long end,
      LongAdder completed, Histogram latency, CompletableFuture<Void> finished) {
    long start = System.nanoTime();
    if (start >= end) {
      finished.complete(null);
      return;
    }
    cluster.propose(leader, GROUP, command).whenComplete((reply, error) -> {
      if (error != null || !(reply instanceof Proposed)) {
        finished.completeExceptionally(new IllegalStateException("proposal failed: " + (error != null ? error : reply)));
        return;
      }
      latency.recordValue(System.nanoTime() - start);
      completed.increment();
      proposeLoop(cluster, leader, command, end, completed, latency, finished);
    });
  }

  /** Counts the writes (and entries per write) that reach the journal. */
  private static StorageFactory counting(StorageFactory unused, String persistenceId, String journal,
      LongAdder writes, LongAdder entries) {
    return (ctx, incarnation) -> ctx.spawn(
        Behaviors.intercept(() -> new BehaviorInterceptor<StorageCommand, StorageCommand>(StorageCommand.class) {
          @Override
          public Behavior<StorageCommand> aroundReceive(TypedActorContext<StorageCommand> c, StorageCommand msg,
              ReceiveTarget<StorageCommand> target) {
            if (msg instanceof Persist p) {
              writes.increment();
              entries.add(p.entries().size());
            }
            return target.apply(c, msg);
          }
        }, JournalStorage.create(persistenceId, journal)),
        "storage-" + incarnation);
  }
}
