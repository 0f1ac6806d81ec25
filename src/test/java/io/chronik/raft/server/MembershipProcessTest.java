package io.chronik.raft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
import io.chronik.raft.api.grpc.NodeAddRequest;
import io.chronik.raft.api.grpc.NodeChangeDone;
import io.chronik.raft.api.grpc.NodeChangeProgress;
import io.chronik.raft.api.grpc.NodeInfo;
import io.chronik.raft.api.grpc.NodeListRequest;
import io.chronik.raft.api.grpc.NodeListResponse;
import io.chronik.raft.api.grpc.NodeRemoveRequest;
import io.chronik.raft.api.grpc.PartitionStatus;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.ReadPolicy;
import io.chronik.raft.api.grpc.StatusRequest;
import io.chronik.raft.api.grpc.StatusResponse;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.launcher.LocalCluster;
import io.chronik.raft.testing.FreePorts;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * L3 (shared/TESTING.md) for membership changes (issue 21): three listed {@code server} processes
 * and a spare (node-4, not in {@code --nodes}), each on its own data directory, under the {@link
 * ProcessWorkload} through every node; the operator's path over gRPC, as {@code chronik node add /
 * remove} takes it. (1) {@code NodeAdd node-4}: the spare gets its share of replicas; (2) {@code
 * NodeRemove node-2}: every replica moves off it, then it is stopped for good; (3) node-3 is killed
 * (kill -9), its data directory deleted, and it is started again on an empty one: it comes back on
 * a new store, its old members count as lost, and {@code NodeAdd node-3} replaces them in place.
 * Record-log partitions of a topic {@code bulk}, preloaded before the moves, give the moves data to
 * copy (the issue's target is 16 partitions of 16 MiB; that is heavy for these shared 2-core
 * machines, hence the modest defaults).
 *
 * <p>Checked: histories linearizable, no acknowledged write lost or applied twice, every
 * acknowledged record (the workload's and the preload's) read back through every remaining node
 * with safe reads that node serves itself; per move, the longest stretch a workload partition went
 * without a successful write and without a successful read (the issue's target: 2 s; asserted:
 * {@code -Dchronik.l3.membership.max-unavailable-s}, default 6 as for ProcessFaultsTest's kills, on
 * machines where four node JVMs and the clients share 2 cores with other builds: the baseline
 * without any fault measured up to 2.8 s at a load average of 16, and one run of eight 5.1 s for
 * kv-0's reads during node add); how long node add took until the new node held its share (within
 * one of partitions x 3 / 4) and how long from the wiped node's restart until every partition had
 * three voters again and no member was lost (the issue's targets: 60 s; asserted: {@code
 * -Dchronik.l3.membership.max-move-s}, default 90); and that every node leads within one of every
 * other 30 s after the moves end (the leader balancer). The kill itself is bounded like
 * ProcessFaultsTest's ({@code -Dchronik.l3.max-unavailable-s}, default 6). About 100 s on 2 cores.
 * {@code -Dchronik.l3.membership.bulk-partitions=N} (default 5),
 * {@code -Dchronik.l3.membership.preload-kib=K} per bulk partition (default 2048),
 * {@code -Dchronik.l3.seed=S}.
 */
@Tag("processes")
class MembershipProcessTest {
  private static final int LISTED = 3;
  private static final int ADMIN = 0; // node-1 carries out every membership operation
  private static final int REMOVED = 1; // node-2
  private static final int WIPED = 2; // node-3
  private static final int SPARE = 3; // node-4
  private static final int CLIENTS = 12; // one per workload partition on each of the four nodes
  private static final int RF = 3;
  private static final int PRELOAD_RECORD_BYTES = 24 * 1024;
  private static final int PRELOAD_BATCH = 8; // 192 KiB per produce: under chronik.raft.max-entry-bytes (256 KiB)

  private final long began = System.nanoTime();

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aSpareIsAddedAListedNodeRemovedAndAWipedNodeReplacedUnderLoadLosingNothing() throws Exception {
    long seed = Long.getLong("chronik.l3.seed", 42L);
    double moveBound = Double.parseDouble(System.getProperty("chronik.l3.membership.max-unavailable-s", "6"));
    double killBound = Double.parseDouble(System.getProperty("chronik.l3.max-unavailable-s", "6"));
    double settleBound = Double.parseDouble(System.getProperty("chronik.l3.membership.max-move-s", "90"));
    int bulkPartitions = Integer.getInteger("chronik.l3.membership.bulk-partitions", 5);
    int preloadKib = Integer.getInteger("chronik.l3.membership.preload-kib", 2048);
    int partitions = ProcessWorkload.PARTITIONS.size() + bulkPartitions + 1; // and the metadata group's
    Path dir = Files.createTempDirectory(Path.of("target"), "l3-membership-");
    Path conf = ProcessWorkload.config(dir, Path.of("application.conf"), bulkPartitions == 0 ? ""
        : "  { name = bulk, partitions = " + bulkPartitions + ", replication-factor = 3, state-machine = record-log }\n");
    int[] ports = {FreePorts.run(LISTED + 1), FreePorts.run(LISTED + 1)};
    try (LocalCluster cluster = new LocalCluster(LISTED, 1, dir, conf, ports[0], ports[1], 0, dir.resolve("logs"),
            List.of("-XX:TieredStopAtLevel=1"), false, LocalCluster.classpath(), LocalCluster.Layout.LOOPBACK);
        ProcessWorkload w = new ProcessWorkload(cluster)) {
      w.awaitLeaders();
      say("every partition has a leader");
      long preloadStart = System.nanoTime();
      Map<Integer, Integer> preloaded = preload(w, bulkPartitions, preloadKib);
      double preloadSeconds = (System.nanoTime() - preloadStart) / 1e9;
      say("preloaded");
      w.start(CLIENTS, new Random(seed).nextLong());
      w.fault("baseline (node-4 a spare)", "-");
      w.pause(Duration.ofSeconds(5));

      // (1) The spare gets its share.
      awaitNode(w, "node-4", n -> assertTrue(n.getAnswering() && !n.getStore().isEmpty() && n.getVoters() == 0,
          "node-4 answers, has said its store and holds nothing: " + n));
      w.fault("node add node-4", "node-4");
      long addAt = System.nanoTime();
      NodeChangeDone added = change(w, "node add node-4",
          () -> w.client(ADMIN).nodeAdd(NodeAddRequest.newBuilder().setNode("node-4").build()));
      double addSeconds = (System.nanoTime() - addAt) / 1e9;
      // Counted from the partitions' configurations (status), not from the node list in the
      // answer: that one leaves out a partition none of whose replicas answered within
      // chronik.client.status-timeout, and showed 4 of node-4's 6 voters on a loaded machine.
      Map<String, List<String>> afterAdd = awaitSettled(w, partitions);
      double addShareSeconds = (System.nanoTime() - addAt) / 1e9;
      int shareVoters = votersOn(afterAdd, "node-4").size();
      double share = partitions * RF / 4.0;
      w.fault("after node add", "-");
      w.pause(Duration.ofSeconds(3));

      // (2) A listed node leaves, then stops for good.
      w.fault("node remove node-2", "node-2");
      long removeAt = System.nanoTime();
      NodeChangeDone removed = change(w, "node remove node-2",
          () -> w.client(ADMIN).nodeRemove(NodeRemoveRequest.newBuilder().setNode("node-2").build()));
      double removeSeconds = (System.nanoTime() - removeAt) / 1e9;
      Map<String, List<String>> afterRemove = awaitSettled(w, partitions);
      assertEquals(List.of(), votersOn(afterRemove, "node-2"), "nothing left on node-2: " + afterRemove);
      w.fault("stop node-2", "node-2");
      w.retire(REMOVED);
      int removedExit = cluster.stop(REMOVED);
      w.pause(Duration.ofSeconds(3));

      // (3) node-3's disk dies: kill -9, an empty data directory, started again, its members replaced.
      Map<String, List<String>> beforeKill = awaitSettled(w, partitions);
      String oldStore = awaitNode(w, "node-3", n -> assertFalse(n.getStore().isEmpty(), "node-3's store: " + n))
          .getStore();
      w.fault("kill -9 node-3 (its disk dies)", "node-3");
      cluster.kill(WIPED);
      deleteTree(dir.resolve("node-3"));
      w.pause(Duration.ofSeconds(3));
      w.fault("start node-3 on an empty dir", "node-3");
      long restartAt = System.nanoTime();
      cluster.start(WIPED);
      NodeInfo rejoined = awaitNode(w, "node-3", n -> {
        assertTrue(n.getAnswering() && !n.getStore().isEmpty() && !n.getStore().equals(oldStore),
            "node-3 answers on a new store (old " + oldStore + "): " + n);
        assertEquals(partitions, n.getLost(), "every member of node-3 on its old store is lost: " + n);
      });
      w.fault("node add node-3 (replace lost)", "node-3");
      long replaceAt = System.nanoTime();
      NodeChangeDone replaced = change(w, "node add node-3",
          () -> w.client(ADMIN).nodeAdd(NodeAddRequest.newBuilder().setNode("node-3").build()));
      double replaceAddSeconds = (System.nanoTime() - replaceAt) / 1e9;
      Map<String, List<String>> afterReplace = awaitSettled(w, partitions);
      w.await(Duration.ofSeconds(30), Duration.ofMillis(250), () -> {
        for (NodeInfo n : nodeList(w).getNodesList()) assertEquals(0, n.getLost(), "lost members: " + n);
        return null;
      });
      double replaceSeconds = (System.nanoTime() - restartAt) / 1e9;
      List<String> onNode3 = votersOn(afterReplace, "node-3");
      assertEquals(partitions, onNode3.size(), "node-3 is a voter of every partition again: " + afterReplace);
      for (String p : afterReplace.keySet()) {
        List<String> now = votersOn(Map.of(p, afterReplace.get(p)), "node-3");
        assertNotEquals(votersOn(Map.of(p, beforeKill.get(p)), "node-3"), now, p + ": node-3's member is a new one, "
            + "on its new store (before the kill " + beforeKill.get(p) + ", now " + afterReplace.get(p) + ")");
      }
      assertTrue(replaced.getMovesList().stream().allMatch(m -> m.endsWith(": node-3 -> node-3")),
          "node-3's lost members were replaced in place: " + replaced.getMovesList());
      say("replication restored");
      // Every partition's voters changed (node-2 left), so the leader balancer spreads them all.
      long movesEndedAt = System.nanoTime();
      Map<String, Integer> ledAfterMoves = awaitLeadersSpread(w, List.of("node-1", "node-3", "node-4"));
      double leadersSpreadSeconds = (System.nanoTime() - movesEndedAt) / 1e9;
      w.fault("after the replacement", "-");
      double wipedServes = w.awaitServing(WIPED, restartAt);
      w.pause(Duration.ofSeconds(3));
      w.stop();

      say("checking");
      ProcessWorkload.Report r = w.check();
      ProcessWorkload.Audit audit = w.audit();
      List<String> bulkProblems = auditPreload(w, preloaded);
      Map<String, Double> cost = new TreeMap<>();
      for (ProcessWorkload.FaultCost c : r.costs()) cost.merge(c.kind(), c.maxUnavailableSeconds(), Math::max);
      double baselineCost = cost.get("baseline (node-4 a spare)");
      double addCost = cost.get("node add node-4");
      double removeCost = Math.max(cost.get("node remove node-2"), cost.get("stop node-2"));
      double replaceCost = cost.get("node add node-3 (replace lost)");
      double killCost = Math.max(cost.get("kill -9 node-3 (its disk dies)"), cost.get("start node-3 on an empty dir"));
      long preloadBytes = preloaded.values().stream().mapToLong(n -> (long) n * PRELOAD_RECORD_BYTES).sum();

      System.out.print("l3 membership (longest time without a successful write / read, per partition):\n" + r.table());
      System.out.printf("l3 membership moves: add %s; remove %s; replace %s%n", added.getMovesList(),
          removed.getMovesList(), replaced.getMovesList());
      System.out.printf("l3 membership partitions=%d preload_mib=%.1f preload_s=%.1f add_s=%.1f add_share_s=%.1f add_voters=%d "
              + "share=%.2f remove_s=%.1f replace_add_s=%.1f replace_rf_restored_s=%.1f wiped_serves_s=%.1f "
              + "unavailable_baseline_s=%.1f unavailable_add_s=%.1f unavailable_remove_s=%.1f unavailable_replace_s=%.1f unavailable_kill_s=%.1f "
              + "ops=%d history_ops=%d unknown_ops=%d violations=%d acked_records=%d lost=%d different=%d "
              + "preload_problems=%d moves=%d leaders=%s leaders_spread_s=%.1f elapsed=%.0fs%n",
          partitions, preloadBytes / 1048576.0, preloadSeconds, addSeconds, addShareSeconds, shareVoters, share, removeSeconds,
          replaceAddSeconds, replaceSeconds, wipedServes, baselineCost, addCost, removeCost, replaceCost, killCost, r.ops(),
          r.historyOps(), r.unknownOps(), r.violations().size(), audit.acknowledged(), audit.lost(),
          audit.different(), bulkProblems.size(),
          added.getMovesCount() + removed.getMovesCount() + replaced.getMovesCount(), ledAfterMoves,
          leadersSpreadSeconds, (System.nanoTime() - began) / 1e9);

      assertTrue(r.violations().isEmpty(), "violations:\n" + String.join("\n", r.violations()));
      assertEquals(0, audit.lost() + audit.different(), "acknowledged records not held by every remaining node: "
          + audit.samples());
      assertTrue(bulkProblems.isEmpty(), "preloaded records:\n" + String.join("\n", bulkProblems));
      assertEquals(0, removedExit, "node-2, asked to stop after its removal, exits with status 0");
      assertTrue(Math.abs(shareVoters - share) <= 1, "node-4 holds " + shareVoters + " voters after node add, its "
          + "share is " + share + " (" + partitions + " partitions x " + RF + " over 4 nodes)");
      assertEquals(partitions, rejoined.getLost());
      assertTrue(addShareSeconds <= settleBound, "node-4 held its share " + addShareSeconds + " s after node add "
          + "(bound " + settleBound + " s)");
      assertTrue(replaceSeconds <= settleBound, "the wiped node's members were replaced " + replaceSeconds
          + " s after its restart (bound " + settleBound + " s)");
      assertTrue(Math.max(addCost, Math.max(removeCost, replaceCost)) <= moveBound, "a partition was unavailable "
          + "for more than " + moveBound + " s while replicas moved:\n" + r.table());
      assertTrue(killCost <= killBound, "a partition was unavailable for " + killCost + " s after node-3 was "
          + "killed (bound " + killBound + " s):\n" + r.table());
      assertTrue(r.ops() > 1000, "the workload must complete operations, got " + r.ops());
    }
  }

  // ---------------------------------------------------------------- membership over gRPC

  /**
   * Runs a NodeAdd or NodeRemove stream to its end, printing each step; a call refused as
   * UNAVAILABLE (retry later: a partition without a leader, or a step that timed out) is sent
   * again, which resumes it. Returns its last message, what was done.
   */
  private NodeChangeDone change(ProcessWorkload w, String what,
      Supplier<Source<NodeChangeProgress, NotUsed>> call) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (true) {
      List<NodeChangeProgress> said = Collections.synchronizedList(new ArrayList<>());
      try {
        call.get().runForeach(m -> {
          said.add(m);
          if (m.hasStep()) System.out.printf("l3 membership %5.1fs %s: %s%n", (System.nanoTime() - began) / 1e9, what,
              m.getStep());
        }, w.system()).toCompletableFuture().get(5, TimeUnit.MINUTES);
        NodeChangeProgress last = said.get(said.size() - 1);
        assertTrue(last.hasDone(), what + " ended without saying what it did: " + said);
        return last.getDone();
      } catch (ExecutionException e) {
        Status.Code code = statusCode(e);
        if (code != Status.Code.UNAVAILABLE || System.nanoTime() > deadline) throw e;
        System.out.println("l3 membership " + what + ": " + e.getCause() + "; sent again");
        w.pause(Duration.ofSeconds(1));
      }
    }
  }

  private void say(String what) {
    System.out.printf("l3 membership %5.1fs %s%n", (System.nanoTime() - began) / 1e9, what);
  }

  private static Status.Code statusCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException sre) return sre.getStatus().getCode();
    }
    return Status.Code.UNKNOWN;
  }

  private static NodeListResponse nodeList(ProcessWorkload w) {
    try {
      return w.client(ADMIN).nodeList(NodeListRequest.getDefaultInstance()).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("node list through node-1 failed: " + e);
    }
  }

  /** The node as node-1's node list shows it, once {@code check} passes. */
  private static NodeInfo awaitNode(ProcessWorkload w, String node, java.util.function.Consumer<NodeInfo> check) {
    return w.await(Duration.ofSeconds(120), Duration.ofMillis(250), () -> {
      NodeListResponse list = nodeList(w);
      NodeInfo n = list.getNodesList().stream().filter(i -> i.getNode().equals(node)).findFirst()
          .orElseThrow(() -> new AssertionError(node + " is not in the node list yet: " + list));
      check.accept(n);
      return n;
    });
  }

  /**
   * Every partition's voters (member ids, as status shows them) once each has three voters on
   * three nodes in a committed configuration that is neither joint nor has learners: no move is
   * under way and the replication factor is whole.
   */
  private static Map<String, List<String>> awaitSettled(ProcessWorkload w, int partitions) {
    return w.await(Duration.ofSeconds(120), Duration.ofMillis(250), () -> {
      StatusResponse s = status(w);
      assertEquals(partitions, s.getPartitionsCount(), s.toString());
      for (PartitionStatus p : s.getPartitionsList()) {
        assertTrue(p.getConfigCommitted() && p.getOutgoingVotersCount() == 0 && p.getLearnersCount() == 0
            && p.getVotersCount() == RF, p.getPartition() + ": voters " + p.getVotersList() + ", outgoing "
            + p.getOutgoingVotersList() + ", learners " + p.getLearnersList());
        assertEquals(RF, p.getVotersList().stream().map(Configuration::nodeOf).distinct().count(),
            p.getPartition() + "'s voters are on three nodes: " + p.getVotersList());
      }
      Map<String, List<String>> voters = new TreeMap<>();
      for (PartitionStatus p : s.getPartitionsList()) voters.put(p.getPartition(), List.copyOf(p.getVotersList()));
      return voters;
    });
  }

  /**
   * Leaderships per node once every node of {@code nodes} leads within one of every other (the
   * issue's target: within 30 s of the moves' end); fails after 30 s.
   */
  private static Map<String, Integer> awaitLeadersSpread(ProcessWorkload w, List<String> nodes) {
    return w.await(Duration.ofSeconds(30), Duration.ofMillis(250), () -> {
      StatusResponse s = status(w);
      Map<String, Integer> led = new TreeMap<>();
      for (String n : nodes) led.put(n, 0);
      for (PartitionStatus p : s.getPartitionsList()) {
        assertFalse(p.getLeader().isEmpty(), p.getPartition() + " has no leader");
        led.merge(Configuration.nodeOf(p.getLeader()), 1, Integer::sum);
      }
      assertEquals(nodes, List.copyOf(led.keySet()), "leaders only on " + nodes + ": " + led);
      assertTrue(Collections.max(led.values()) - Collections.min(led.values()) <= 1,
          "every node leads within one of every other 30 s after the moves: " + led);
      return led;
    });
  }

  private static StatusResponse status(ProcessWorkload w) {
    try {
      return w.client(ADMIN).status(StatusRequest.getDefaultInstance()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("status through node-1 failed: " + e);
    }
  }

  /** The members on {@code node} among {@code voters}. */
  private static List<String> votersOn(Map<String, List<String>> voters, String node) {
    return voters.values().stream().flatMap(List::stream).filter(m -> Configuration.nodeOf(m).equals(node)).toList();
  }

  // ---------------------------------------------------------------- the preload

  /** Produces {@code kib} KiB to each bulk partition through node-1; returns the records acknowledged per partition. */
  private static Map<Integer, Integer> preload(ProcessWorkload w, int bulkPartitions, int kib) throws Exception {
    Map<Integer, Integer> counts = new TreeMap<>();
    int records = (int) Math.ceil(kib * 1024.0 / PRELOAD_RECORD_BYTES);
    for (int p = 0; p < bulkPartitions; p++) {
      int produced = 0;
      while (produced < records) {
        ProduceRequest.Builder b = ProduceRequest.newBuilder().setTopic("bulk").setPartition(p);
        int batch = Math.min(PRELOAD_BATCH, records - produced);
        for (int i = 0; i < batch; i++) b.addRecords(preloadRecord(p, produced + i));
        long base = w.client(ADMIN).produce(b.build()).toCompletableFuture().get(30, TimeUnit.SECONDS).getBaseOffset();
        assertEquals(produced, base, "bulk-" + p + ": the preload is the partition's only writer");
        produced += batch;
      }
      counts.put(p, produced);
    }
    return counts;
  }

  private static ByteString preloadRecord(int partition, int index) {
    byte[] bytes = new byte[PRELOAD_RECORD_BYTES];
    Arrays.fill(bytes, (byte) ('a' + (partition * 31 + index) % 26));
    byte[] head = ("bulk-" + partition + "#" + index + ":").getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, bytes, 0, head.length);
    return ByteString.copyFrom(bytes);
  }

  /** Reads each bulk partition whole through every remaining node (safe reads it serves itself) and compares. */
  private static List<String> auditPreload(ProcessWorkload w, Map<Integer, Integer> preloaded) {
    List<String> problems = new ArrayList<>();
    for (int node : w.serving()) {
      String id = w.cluster.ids().get(node);
      preloaded.forEach((p, count) -> {
        int offset = 0;
        while (true) {
          int from = offset;
          FetchResponse f = w.await(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
            try {
              return w.client(node).fetch(FetchRequest.newBuilder().setTopic("bulk").setPartition(p).setOffset(from)
                      .setMaxRecords(64).setMaxBytes(4 << 20).setReadPolicy(ReadPolicy.READ_POLICY_SAFE).build())
                  .toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
              throw new AssertionError("bulk-" + p + " through " + id + " from " + from + ": " + e);
            }
          });
          if (!Configuration.nodeOf(f.getServedBy()).equals(id)) problems.add("bulk-" + p + " read through " + id + " was served by "
              + f.getServedBy());
          if (f.getRecordsCount() == 0) break;
          for (int i = 0; i < f.getRecordsCount(); i++, offset++) {
            if (offset >= count || !f.getRecords(i).equals(preloadRecord(p, offset))) {
              problems.add("bulk-" + p + "@" + offset + " through " + id + " is not the record preloaded there");
            }
          }
        }
        if (offset != count) problems.add("bulk-" + p + " through " + id + ": " + offset + " records, " + count
            + " acknowledged");
      });
    }
    return problems;
  }

  // ---------------------------------------------------------------- helpers

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
    assertFalse(Files.exists(root));
  }
}
