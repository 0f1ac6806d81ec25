package io.chronik.raft.demo;

import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import io.chronik.raft.cluster.InProcessCluster;
import io.chronik.raft.cluster.NodeHost.GroupSpec;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.QueryReply;
import io.chronik.raft.replica.ClientProtocol.QueryResult;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.replica.ReadProtocol.ReadReply;
import io.chronik.raft.replica.ReadProtocol.ReadResult;
import io.chronik.raft.server.ChronikConfig;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.statemachine.proto.KvResult;
import io.chronik.raft.statemachine.proto.RecordLogAppendResult;
import io.chronik.raft.statemachine.proto.RecordLogReadResult;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A short tour: a 3-replica record log and key-value map in one process, on the embedded journal. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start 3 nodes in this process on the embedded journal, write records and key-value "
        + "updates through the leader, and read them back on every replica. Run it twice: the second "
        + "run resumes from the data directory.")
public final class DemoCommand implements Callable<Integer> {
  private static final List<String> NODES = List.of("node-1", "node-2", "node-3");
  private static final String ORDERS = "orders-0";
  private static final String ACCOUNTS = "accounts-0";

  @Option(names = "--data-dir", defaultValue = "data/demo", description = "Durable state (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--records", defaultValue = "5", description = "Records to append (default: ${DEFAULT-VALUE}).")
  int records;

  @Override
  public Integer call() throws Exception {
    Config config = ChronikConfig.load(Path.of("application.conf"), Map.of("chronik.data-dir", dataDir.toString()));
    List<GroupSpec> groups = List.of(
        new GroupSpec(ORDERS, Set.copyOf(NODES), RecordLogStateMachine::new),
        new GroupSpec(ACCOUNTS, Set.copyOf(NODES), KeyValueStateMachine::new));
    System.out.printf("Starting %s in this process; journal %s (fsync on every write)%n", NODES,
        config.getString("chronik.journal.leveldb.dir"));
    try (InProcessCluster cluster = InProcessCluster.start(config, NODES, groups)) {
      Status leader = cluster.awaitLeader(ORDERS, Duration.ofSeconds(20));
      System.out.printf("%s: leader %s, term %d%n", ORDERS, leader.replicaId(), leader.term());
      long before = read(cluster, leader.replicaId()).getHighWatermark();
      if (before > 0) System.out.printf("%s already holds %d records from an earlier run%n", ORDERS, before);

      for (int i = 0; i < records; i++) {
        String record = "order-" + (before + i + 1);
        Proposed p = proposed(cluster.propose(leader.replicaId(), ORDERS,
            RecordLogStateMachine.append(List.of(ByteString.copyFromUtf8(record)))));
        RecordLogAppendResult r = RecordLogStateMachine.appendResult(p.result());
        System.out.printf("  wrote %-10s -> offset %d (log index %d)%n", record, r.getFirstOffset(), p.index());
      }

      System.out.println("Reading the partition back on every replica (policy safe: ReadIndex, linearizable):");
      for (String node : NODES) {
        ReadResult rr = readResult(cluster.read(node, ORDERS, RecordLogStateMachine.read(0, 10_000, 1 << 20),
            Optional.of(ReadPolicy.SAFE), 0));
        RecordLogReadResult r = RecordLogStateMachine.readResult(rr.result());
        String role = cluster.statusNow(node, ORDERS).map(Status::role).orElse("?");
        System.out.printf("  served by %-7s (%-8s) records=%d high-watermark=%d last=%s%n", rr.servedBy(), role,
            r.getRecordsCount(), r.getHighWatermark(),
            r.getRecordsCount() == 0 ? "-" : r.getRecords(r.getRecordsCount() - 1).toStringUtf8());
      }
      String follower = NODES.stream().filter(n -> !n.equals(leader.replicaId())).findFirst().orElseThrow();
      ReadResult forwarded = readResult(cluster.read(follower, ORDERS, RecordLogStateMachine.read(0, 1, 1 << 20),
          Optional.of(ReadPolicy.NONE), 0));
      System.out.printf("  policy none on %s: forwarded, served by %s%n", follower, forwarded.servedBy());

      Status kvLeader = cluster.awaitLeader(ACCOUNTS, Duration.ofSeconds(20));
      String alice = "alice";
      Proposed put = proposed(cluster.propose(kvLeader.replicaId(), ACCOUNTS,
          KeyValueStateMachine.put(alice, ByteString.copyFromUtf8("100"))));
      Proposed cas = proposed(cluster.propose(kvLeader.replicaId(), ACCOUNTS,
          KeyValueStateMachine.compareAndSet(alice, ByteString.copyFromUtf8("100"), ByteString.copyFromUtf8("90"))));
      KvResult casResult = KeyValueStateMachine.result(cas.result());
      System.out.printf("%s: put %s=100 (index %d), compare-and-set 100->90 applied=%s (index %d)%n", ACCOUNTS,
          alice, put.index(), casResult.getApplied(), cas.index());
      for (String node : NODES) {
        ReadResult rr = readResult(cluster.read(node, ACCOUNTS, KeyValueStateMachine.get(alice),
            Optional.of(ReadPolicy.SAFE), 0));
        String role = cluster.statusNow(node, ACCOUNTS).map(Status::role).orElse("?");
        System.out.printf("  served by %-7s (%-8s) %s=%s (applied index %d)%n", rr.servedBy(), role, alice,
            KeyValueStateMachine.result(rr.result()).getValue().toStringUtf8(), rr.appliedIndex());
      }
      System.out.println("Stopping; run again to resume from " + dataDir);
    }
    return 0;
  }

  private static ReadResult readResult(java.util.concurrent.CompletionStage<ReadReply> reply) throws Exception {
    ReadReply r = reply.toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (r instanceof ReadResult rr) return rr;
    throw new IllegalStateException("read failed: " + r);
  }

  private static RecordLogReadResult read(InProcessCluster cluster, String node) throws Exception {
    return RecordLogStateMachine.readResult(queryResult(
        cluster.localQuery(node, ORDERS, RecordLogStateMachine.read(0, 10_000, 1 << 20))).result());
  }

  private static Proposed proposed(java.util.concurrent.CompletionStage<ProposeReply> reply) throws Exception {
    ProposeReply r = reply.toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (r instanceof Proposed p) return p;
    throw new IllegalStateException("proposal not committed: " + r);
  }

  private static QueryResult queryResult(java.util.concurrent.CompletionStage<QueryReply> reply) throws Exception {
    QueryReply r = reply.toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (r instanceof QueryResult q) return q;
    throw new IllegalStateException("query failed: " + r);
  }


}
