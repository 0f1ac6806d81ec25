package io.chronik.raft.bench;

import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import io.chronik.raft.cluster.InProcessCluster;
import io.chronik.raft.cluster.NodeHost.GroupSpec;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.replica.ReadProtocol;
import io.chronik.raft.replica.ReplicaMetrics;
import io.chronik.raft.replica.StorageFactory;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.server.ChronikConfig;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import io.chronik.raft.storage.JournalStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Proposal throughput of a 3-replica record-log group in one process, on the real embedded
 * journal: one closed-loop client (no batching possible) side by side with many (writes and
 * AppendEntries coalesce), with the batch sizes that explain the difference.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
    description = "Measure an in-process 3-replica group on the embedded journal: proposal throughput with "
        + "1 client vs --clients clients (with the measured batch sizes), then follower reads under each "
        + "policy (with reads per ReadIndex round).")
public final class ThroughputCommand implements Callable<Integer> {
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

  @Option(names = "--reads", defaultValue = "true", negatable = true, fallbackValue = "true",
      description = "Also measure follower reads under each policy (default: ${DEFAULT-VALUE}).")
  boolean reads;

  record Result(int clients, double opsPerSecond, double p50Ms, double p99Ms, double entriesPerWrite,
      double entriesPerAppend) {}

  record ReadResultRow(ReadPolicy policy, int clients, double opsPerSecond, double p50Ms, double p99Ms,
      double leaderRoundsPer1000Reads) {}

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
    if (reads) readTable(measureReads());
    return 0;
  }

  private static void readTable(List<ReadResultRow> rows) {
    System.out.println();
    System.out.println("| follower reads | clients | reads/s | p50 ms | p99 ms | leader ReadIndex rounds per 1,000 reads |");
    System.out.println("|----------------|--------:|--------:|-------:|-------:|----------------------------------------:|");
    for (ReadResultRow r : rows) {
      System.out.printf("| %-14s | %7d | %7.0f | %6.2f | %6.2f | %39.1f |%n", r.policy.configName(), r.clients,
          r.opsPerSecond, r.p50Ms, r.p99Ms, r.leaderRoundsPer1000Reads);
    }
  }

  /** Reads of one key, sent only to followers, under each policy, on one cluster. */
  private List<ReadResultRow> measureReads() throws Exception {
    Path dir = Files.createTempDirectory("chronik-reads-");
    Config config = ChronikConfig.load(Path.of("application.conf"), Map.of("chronik.data-dir", dir.toString()));
    List<ReadResultRow> rows = new ArrayList<>();
    try (InProcessCluster cluster = InProcessCluster.start(config, NODES,
        List.of(new GroupSpec(GROUP, Set.copyOf(NODES), KeyValueStateMachine::new)))) {
      Status leader = cluster.awaitLeader(GROUP, Duration.ofSeconds(20));
      cluster.propose(leader.replicaId(), GROUP, KeyValueStateMachine.put("k", ByteString.copyFromUtf8("v")))
          .toCompletableFuture().get();
      List<String> followers = NODES.stream().filter(n -> !n.equals(leader.replicaId())).toList();
      ByteString query = KeyValueStateMachine.get("k");
      for (ReadPolicy policy : List.of(ReadPolicy.UNSAFE, ReadPolicy.SAFE, ReadPolicy.NONE)) {
        System.out.printf("run: follower reads, policy %s, %d clients, %d s warm-up + %d s measured ...%n",
            policy.configName(), clients, warmup, seconds);
        ReplicaMetrics.Snapshot[] at = new ReplicaMetrics.Snapshot[2];
        ClosedLoop.Measured m = new ClosedLoop(clients, warmup, seconds).run(
            i -> cluster.read(followers.get(i % followers.size()), GROUP, query, Optional.of(policy), 0)
                .thenApply(reply -> succeeded(reply instanceof ReadProtocol.ReadResult, "read", reply)),
            () -> at[0] = cluster.readMetrics(leader.replicaId(), GROUP).toCompletableFuture().join(),
            () -> at[1] = cluster.readMetrics(leader.replicaId(), GROUP).toCompletableFuture().join());
        requireNoErrors(m);
        long rounds = at[1].readIndexRounds() - at[0].readIndexRounds();
        rows.add(new ReadResultRow(policy, clients, m.perSecond(), m.percentileMillis(50), m.percentileMillis(99),
            m.ok() == 0 ? 0 : rounds * 1000.0 / m.ok()));
      }
    } finally {
      BenchCommand.deleteRecursively(dir);
    }
    return rows;
  }

  private Result run(int clientCount) throws Exception {
    Path dir = Files.createTempDirectory("chronik-throughput-");
    Config config = ChronikConfig.load(Path.of("application.conf"), Map.of("chronik.data-dir", dir.toString()));
    LongAdder writes = new LongAdder();
    LongAdder writtenEntries = new LongAdder();
    String journal = config.getString("chronik.raft.journal-plugin-id");
    InProcessCluster cluster = InProcessCluster.start(config, NODES,
        List.of(new GroupSpec(GROUP, Set.copyOf(NODES), RecordLogStateMachine::new)),
        (node, group) -> counting(node + "/" + group, journal, JournalStorage.snapshotDir(config, node, group), writes,
            writtenEntries));
    try {
      Status leader = cluster.awaitLeader(GROUP, Duration.ofSeconds(20));
      ByteString command = RecordLogStateMachine.append(List.of(ByteString.copyFrom(new byte[recordBytes])));
      long[] atEnd = new long[4];
      ClosedLoop.Measured m = new ClosedLoop(clientCount, warmup, seconds).run(
          i -> cluster.propose(leader.replicaId(), GROUP, command)
              .thenApply(reply -> succeeded(reply instanceof Proposed, "proposal", reply)),
          () -> {
            writes.reset();
            writtenEntries.reset();
            cluster.transportStats.appendEntries.reset();
            cluster.transportStats.appendedEntries.reset();
          },
          () -> {
            atEnd[0] = writes.sum();
            atEnd[1] = writtenEntries.sum();
            atEnd[2] = cluster.transportStats.appendEntries.sum();
            atEnd[3] = cluster.transportStats.appendedEntries.sum();
          });
      requireNoErrors(m);
      return new Result(clientCount, m.perSecond(), m.percentileMillis(50), m.percentileMillis(99),
          atEnd[1] / (double) Math.max(1, atEnd[0]), atEnd[3] / (double) Math.max(1, atEnd[2]));
    } finally {
      cluster.close();
      BenchCommand.deleteRecursively(dir);
    }
  }

  private static Object succeeded(boolean ok, String what, Object reply) {
    if (!ok) throw new IllegalStateException(what + " failed: " + reply);
    return reply;
  }

  /** The in-process cluster has no faults: any failed request is a bug worth stopping for. */
  private static void requireNoErrors(ClosedLoop.Measured m) {
    if (m.errors() > 0 || m.firstError() != null) {
      throw new IllegalStateException(m.errors() + " requests failed; first: " + m.firstError());
    }
  }

  /** Counts the writes (and entries per write) that reach the journal. */
  private static StorageFactory counting(String persistenceId, String journal, Path snapshotDir,
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
        }, JournalStorage.create(persistenceId, journal, snapshotDir)),
        "storage-" + incarnation);
  }
}
