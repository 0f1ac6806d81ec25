package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.core.ChangeRequest;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.ClientProtocol.StatusReply;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.replica.ReplicaControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Changing a partition's members in a running cluster (issue 21), through the replicas' {@link
 * ReplicaControl.ChangeConfig}: the configuration is in the log, so a node whose disk died comes
 * back as a new member (learner, caught up, then joint-replacing its old self), and a spare node
 * joins a group the files never placed on it. Every acknowledged write is read back through every
 * node afterwards.
 */
@Tag("cluster")
class MembershipClusterTest {
  private static final String KV = "[{name = kv, partitions = 1, replication-factor = 3, state-machine = key-value}]";
  private static final String GROUP = "kv-0";

  @Test
  void aNodeWhoseDiskDiedRejoinsOnlyAsANewMemberAndReplacesItsOldSelf() throws Exception {
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3"), KV)) {
      Status leader = c.awaitLeader(0, GROUP);
      put(c, 0, "x", "1");
      Configuration recorded = awaitRecordedConfiguration(c, 0);
      assertEquals(Set.of("n1", "n2", "n3"), recorded.voters(), "the files' voters, recorded with their stores");

      int victim = (c.indexOf(leader.replicaId()) + 1) % 3; // a follower
      String victimId = c.ids.get(victim);
      String oldStore = recorded.store(victimId);
      c.stop(victim);
      c.wipe(victim);
      c.start(victim);
      c.awaitAllUp();
      String newStore = awaitStore(c, c.indexOf(leader.replicaId()), victimId, oldStore);

      // The wiped node's empty replica is not its old member: the leader's messages for victimId
      // name the old store and are dropped, so nothing it "acknowledges" counts.
      put(c, c.indexOf(leader.replicaId()), "x", "2");
      Status wiped = status(c, victim, victimId);
      assertEquals(0, wiped.lastIndex(), "the wiped replica never received the log as its old self: " + wiped);

      String learner = Configuration.memberId(victimId, recorded.nextReplicaId());
      change(c, leader.replicaId(), new ChangeRequest.AddLearner(victimId, newStore));
      awaitCaughtUp(c, victim, learner);
      ReplicaControl.ConfigChanged replaced = change(c, leader.replicaId(), new ChangeRequest.Replace(learner, victimId));
      assertTrue(replaced.config().joint(), "a voter is replaced through a joint configuration: " + replaced);
      Configuration after = awaitConfiguration(c, c.indexOf(leader.replicaId()), leader.replicaId(),
          cfg -> !cfg.joint() && cfg.voters().contains(learner));
      assertEquals(Set.of(leader.replicaId(), c.ids.get(3 - victim - c.indexOf(leader.replicaId())), learner),
          after.voters());
      assertEquals(newStore, after.store(learner));

      put(c, c.indexOf(leader.replicaId()), "x", "3");
      for (int i = 0; i < 3; i++) {
        assertEquals("3", safeGet(c, i, "x"), "every node serves the last acknowledged write, " + c.ids.get(i) + " too");
      }
    }
  }

  @Test
  void aSpareNodeJoinsAGroupAsALearnerIsPromotedAndAnOriginalVoterLeaves() throws Exception {
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3", "n4"), KV)) {
      Status leader = c.awaitLeader(0, GROUP);
      List<String> voters = c.chronik(0).node().voters(GROUP);
      String spare = c.ids.stream().filter(id -> !voters.contains(id)).findFirst().orElseThrow();
      int spareIndex = c.indexOf(spare);
      for (int i = 0; i < 20; i++) put(c, 0, "k" + i, "v" + i);
      Configuration recorded = awaitRecordedConfiguration(c, c.indexOf(leader.replicaId()));
      String store = c.chronik(spareIndex).node().storeOf(spare).orElseThrow();

      String learner = Configuration.memberId(spare, recorded.nextReplicaId());
      change(c, leader.replicaId(), new ChangeRequest.AddLearner(spare, store));
      awaitCaughtUp(c, spareIndex, learner);
      assertEquals("v7", safeGet(c, spareIndex, "k7"), "a learner serves safe reads");
      change(c, leader.replicaId(), new ChangeRequest.Promote(learner));
      String leaving = voters.stream().filter(v -> !v.equals(leader.replicaId())).findFirst().orElseThrow();
      awaitConfiguration(c, c.indexOf(leader.replicaId()), leader.replicaId(), cfg -> !cfg.joint()
          && cfg.voters().contains(learner));
      change(c, leader.replicaId(), new ChangeRequest.Remove(leaving));
      Configuration after = awaitConfiguration(c, c.indexOf(leader.replicaId()), leader.replicaId(),
          cfg -> !cfg.joint() && !cfg.isMember(leaving));
      assertEquals(3, after.voters().size(), after.toString());
      assertTrue(after.voters().contains(learner), after.toString());

      ReplicaControl.ChangeConfigReply refused = changeReply(c, leader.replicaId(),
          new ChangeRequest.Remove(leader.replicaId()));
      ReplicaControl.ConfigChangeRefused r = assertInstanceOf(ReplicaControl.ConfigChangeRefused.class, refused);
      assertTrue(r.message().contains("hands leadership over first"), r.message());

      put(c, spareIndex, "k0", "w0");
      for (String node : List.of(leader.replicaId(), spare)) {
        assertEquals("w0", safeGet(c, c.indexOf(node), "k0"));
        for (int i = 1; i < 20; i++) assertEquals("v" + i, safeGet(c, c.indexOf(node), "k" + i));
      }
    }
  }

  @Test
  void nodeAddGivesASpareItsShareAndNodeRemoveMovesEveryReplicaOff() throws Exception {
    String kv4 = "[{name = kv, partitions = 4, replication-factor = 3, state-machine = key-value}]";
    // wal storage: the removed replicas' logs are files, deleted after the grace period.
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3", "n4"), List.of("n1", "n2", "n3"), kv4,
        "chronik.raft.storage = wal\nchronik.membership.removed-data-grace = 1s")) {
      Path n2Logs = c.dataDir(1).resolve("wal").resolve("n2");
      for (int p = 0; p < 4; p++) {
        for (int k = 0; k < 5; k++) {
          c.chronik(0).put("kv", p, "k" + k, ByteString.copyFromUtf8("p" + p + "v" + k)).toCompletableFuture()
              .get(20, TimeUnit.SECONDS);
        }
      }
      for (int p = 0; p < 4; p++) assertTrue(Files.isDirectory(n2Logs.resolve("kv-" + p)), "n2 holds kv-" + p + "'s log");
      ReplicaMover mover = c.chronik(0).mover();
      List<String> said = new java.util.ArrayList<>();
      awaitPlanned(c, () -> mover.planAdd("n4"));
      List<ReplicaMover.Move> adds = mover.planAdd("n4");
      assertEquals(3, adds.size(), "15 voters (4 partitions and the metadata group) over 4 nodes: n4's share is 3; " + adds);
      for (ReplicaMover.Move m : adds) mover.move(m, said::add);
      assertEquals(3, voters(mover, "n4"), said.toString());

      List<ReplicaMover.Move> removes = mover.planRemove("n2");
      for (ReplicaMover.Move m : removes) mover.move(m, said::add);
      assertEquals(0, voters(mover, "n2") + learners(mover, "n2"), "nothing left on n2: " + mover.nodes());
      for (String n : List.of("n1", "n3", "n4")) assertEquals(5, voters(mover, n), n + ": " + mover.nodes());
      assertTrue(said.stream().anyMatch(line -> line.contains("is a learner; it catches up")), said.toString());
      TestProbe<Object> probe = c.kit(1).createTestProbe();
      probe.awaitAssert(Duration.ofSeconds(10), () -> {
        for (int p = 0; p < 4; p++) {
          assertTrue(!c.chronik(1).node().hostsReplicaOf("kv-" + p), "n2's replica of kv-" + p + " is retired");
        }
        return null;
      });
      probe.awaitAssert(Duration.ofSeconds(15), Duration.ofMillis(200), () -> {
        try (var left = Files.list(n2Logs)) {
          assertEquals(List.of(), left.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("kv-")).toList(),
              "the removed replicas' logs are deleted after chronik.membership.removed-data-grace");
        }
        return null;
      });
      c.stop(1);
      c.start(1);
      c.awaitAllUp();
      for (int p = 0; p < 4; p++) {
        StatusReply r = c.chronik(1).node().<StatusReply>ask("kv-" + p, "n2", GetStatus::new).toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
        assertInstanceOf(io.chronik.raft.replica.ClientProtocol.UnknownPartition.class, r,
            "a restart does not bring back a retired member, though the files place kv-" + p + " on n2");
        assertTrue(!c.chronik(1).node().hostsReplicaOf("kv-" + p));
      }

      for (int i : new int[] {0, 2, 3}) {
        for (int p = 0; p < 4; p++) {
          for (int k = 0; k < 5; k++) {
            ChronikRaft.KvRead r = c.chronik(i).get("kv", p, "k" + k, Optional.of(ReadPolicy.SAFE), 0)
                .toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertEquals("p" + p + "v" + k, r.result().getValue().toStringUtf8(), "kv-" + p + " k" + k + " via "
                + c.ids.get(i));
          }
        }
      }
    }
  }

  /**
   * The operator's whole story under load: a spare joins (node add), a listed node leaves (node
   * remove, which includes handing leaderships over), and a node whose disk died comes back on an
   * empty directory and gets its replicas replaced in place (node add again). Writers keep writing
   * to every partition through every running node throughout; afterwards every acknowledged write
   * is read back, with safe reads, through every node that holds replicas.
   */
  @Test
  void addRemoveAndReplaceUnderLoadLoseNoAcknowledgedWrite() throws Exception {
    String kv4 = "[{name = kv, partitions = 4, replication-factor = 3, state-machine = key-value}]";
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3", "n4"), List.of("n1", "n2", "n3"), kv4, "")) {
      for (int p = 0; p < 4; p++) c.awaitLeader(0, "kv-" + p);
      java.util.concurrent.ConcurrentHashMap<String, String> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
      long[] lastWrite = new long[4];
      long[] longestGap = new long[4];
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      long[] gapEnd = new long[4];
      long began = System.nanoTime();
      List<java.util.concurrent.ConcurrentLinkedQueue<Long>> successes = new java.util.ArrayList<>();
      for (int p = 0; p < 4; p++) successes.add(new java.util.concurrent.ConcurrentLinkedQueue<>());
      List<String> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      List<Thread> writers = new java.util.ArrayList<>();
      for (int w = 0; w < 12; w++) { // three writers per partition, so that one stuck on a stopping node is no gap
        int partition = w % 4;
        int writer = w;
        lastWrite[partition] = System.nanoTime();
        Thread t = new Thread(() -> {
          java.util.Random rnd = new java.util.Random(writer);
          for (int seq = 0; !stop.get(); seq++) {
            int via = rnd.nextInt(4);
            if (!c.running(via)) continue;
            String key = "w" + writer + "-" + seq;
            try {
              c.chronik(via).put("kv", partition, key, ByteString.copyFromUtf8(key + "@" + partition))
                  .toCompletableFuture().get(10, TimeUnit.SECONDS);
              acknowledged.put(partition + "/" + key, key + "@" + partition);
              successes.get(partition).add(System.nanoTime());
              long now = System.nanoTime();
              synchronized (lastWrite) {
                if (now - lastWrite[partition] > longestGap[partition]) {
                  longestGap[partition] = now - lastWrite[partition];
                  gapEnd[partition] = now;
                }
                lastWrite[partition] = Math.max(lastWrite[partition], now);
              }
            } catch (Exception e) {
              // not acknowledged (a node stopping, a leader changing): it may or may not be applied
              failures.add(String.format("%.1fs kv-%d via %s: %s", (System.nanoTime() - began) / 1e9, partition,
                  c.ids.get(via), e.getCause() != null ? e.getCause().getMessage() : e.toString()));
            }
          }
        }, "writer-" + w);
        t.start();
        writers.add(t);
      }
      ReplicaMover mover = c.chronik(1).mover();
      List<String> said = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      Map<String, Long> phases = new java.util.LinkedHashMap<>();
      phases.put("start", System.nanoTime());
      awaitPlanned(c, () -> mover.planAdd("n4"));
      phases.put("node add n4", System.nanoTime());
      for (ReplicaMover.Move m : mover.planAdd("n4")) mover.move(m, said::add);
      phases.put("node remove n1", System.nanoTime());
      for (ReplicaMover.Move m : mover.planRemove("n1")) mover.move(m, said::add);
      phases.put("stop n3", System.nanoTime());
      c.stop(2);
      c.wipe(2);
      phases.put("start n3 wiped", System.nanoTime());
      c.start(2);
      c.awaitAllUp();
      String lostStore = awaitStore(c, 1, "n3", "no-such-store");
      List<ReplicaMover.Move> replace = awaitPlan(c, () -> mover.planAdd("n3"), lostStore);
      assertTrue(replace.stream().allMatch(m -> m.from().equals(Optional.of("n3")) && m.to().equals(Optional.of("n3"))),
          "the wiped node's members are replaced in place: " + replace);
      phases.put("node add n3 (replace lost members)", System.nanoTime());
      for (ReplicaMover.Move m : replace) mover.move(m, said::add);
      phases.put("end", System.nanoTime());
      stop.set(true);
      for (Thread t : writers) t.join(30_000);

      for (ReplicaMover.NodeInfo n : mover.nodes()) {
        assertEquals(0, n.lost(), "no member is left on a lost store: " + mover.nodes());
      }
      assertTrue(acknowledged.size() > 50, "writes went on: " + acknowledged.size());
      for (int via : new int[] {1, 2, 3}) {
        for (java.util.Map.Entry<String, String> e : acknowledged.entrySet()) {
          int partition = Integer.parseInt(e.getKey().substring(0, e.getKey().indexOf('/')));
          String key = e.getKey().substring(e.getKey().indexOf('/') + 1);
          ChronikRaft.KvRead r = c.chronik(via).get("kv", partition, key, Optional.of(ReadPolicy.SAFE), 0)
              .toCompletableFuture().get(20, TimeUnit.SECONDS);
          assertEquals(e.getValue(), r.result().getValue().toStringUtf8(), "acknowledged " + e + " read via "
              + c.ids.get(via));
        }
      }
      // The issue's bound is for moves: the longest a partition went without an acknowledged write
      // while replicas moved (the restart of the wiped node is a fault of its own, as in L3).
      List<String> movePhases = List.of("node add n4", "node remove n1", "node add n3 (replace lost members)");
      List<String> order = new java.util.ArrayList<>(phases.keySet());
      double worstDuringMoves = 0;
      StringBuilder perPhase = new StringBuilder();
      for (int i = 0; i + 1 < order.size(); i++) {
        long from = phases.get(order.get(i));
        long to = phases.get(order.get(i + 1));
        double phaseWorst = 0;
        for (int p = 0; p < 4; p++) phaseWorst = Math.max(phaseWorst, longestGapWithin(successes.get(p), from, to));
        perPhase.append(String.format(" %s=%.1fs", order.get(i), phaseWorst));
        if (movePhases.contains(order.get(i))) worstDuringMoves = Math.max(worstDuringMoves, phaseWorst);
      }
      System.out.println("l2 membership longest write gap per phase:" + perPhase);
      double worst = java.util.Arrays.stream(longestGap).max().orElse(0) / 1e9;
      long t0 = phases.get("start");
      StringBuilder timeline = new StringBuilder();
      phases.forEach((phase, at) -> timeline.append(String.format(" %s@%.1fs", phase, (at - t0) / 1e9)));
      for (int p = 0; p < 4; p++) {
        timeline.append(String.format("%n  kv-%d longest gap %.1fs ending at %.1fs", p, longestGap[p] / 1e9,
            (gapEnd[p] - t0) / 1e9));
      }
      System.out.println("l2 membership timeline:" + timeline);
      synchronized (failures) {
        failures.stream().limit(40).forEach(f -> System.out.println("  failed " + f));
      }
      System.out.printf("l2 membership under load: acknowledged=%d moves=%d longest_write_gap_s=%.1f%n",
          acknowledged.size(), said.stream().filter(l -> l.contains(": done,")).count(), worst);
      System.out.printf("l2 membership longest_write_gap_during_moves_s=%.1f%n", worstDuringMoves);
      assertTrue(worstDuringMoves <= 5, "a partition went " + worstDuringMoves + " s without an acknowledged write "
          + "while replicas moved:" + perPhase);
      // 12 s: writers on the wiped node wait for it to start and for its old member to be replaced;
      // on 2 loaded cores its start alone took 14 s once (gap 9.9 s, over the earlier bound of 8 s).
      assertTrue(worst <= 12, "a partition went " + worst + " s without an acknowledged write (bound 12 s: writers "
          + "on the wiped node wait for its old member to be replaced):" + perPhase);
    }
  }

  /** The longest stretch within [from, to] (nanoTime) with no instant of {@code successes}, in seconds. */
  private static double longestGapWithin(java.util.Collection<Long> successes, long from, long to) {
    long last = from;
    long longest = 0;
    for (long at : successes.stream().sorted().toList()) {
      if (at < from) continue;
      if (at > to) break;
      longest = Math.max(longest, at - last);
      last = at;
    }
    return Math.max(longest, to - last) / 1e9;
  }

  /** The plan once the replaced node's new store is known and its lost members show. */
  private static List<ReplicaMover.Move> awaitPlan(TestCluster c, java.util.concurrent.Callable<List<ReplicaMover.Move>>
      plan, String store) {
    TestProbe<Object> probe = c.kit(1).createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
      List<ReplicaMover.Move> moves = plan.call();
      assertTrue(!moves.isEmpty(), "no move planned yet for the node on store " + store);
      return moves;
    });
  }

  private static int voters(ReplicaMover mover, String node) {
    return mover.nodes().stream().filter(n -> n.nodeId().equals(node)).mapToInt(ReplicaMover.NodeInfo::voters).sum();
  }

  private static int learners(ReplicaMover mover, String node) {
    return mover.nodes().stream().filter(n -> n.nodeId().equals(node)).mapToInt(ReplicaMover.NodeInfo::learners).sum();
  }

  /** Until every partition recorded its configuration and the spare said which store it is on. */
  private static void awaitPlanned(TestCluster c, java.util.concurrent.Callable<?> plan) {
    TestProbe<Object> probe = c.kit(0).createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
      try {
        return plan.call();
      } catch (ReplicaMover.MoveFailed e) {
        throw new AssertionError(e.getMessage());
      }
    });
  }

  // ---------------------------------------------------------------- helpers

  private static void put(TestCluster c, int via, String key, String value) throws Exception {
    c.chronik(via).put("kv", 0, key, ByteString.copyFromUtf8(value)).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static String safeGet(TestCluster c, int via, String key) throws Exception {
    ChronikRaft.KvRead r = c.chronik(via).get("kv", 0, key, Optional.of(ReadPolicy.SAFE), 0).toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    return r.result().getValue().toStringUtf8();
  }

  private static Status status(TestCluster c, int node, String member) throws Exception {
    StatusReply r = c.chronik(node).node().<StatusReply>ask(GROUP, member, GetStatus::new).toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    return assertInstanceOf(Status.class, r);
  }

  /** The configuration the leader on node {@code via} recorded in its log (once every voter's store was known). */
  private static Configuration awaitRecordedConfiguration(TestCluster c, int via) {
    return awaitConfiguration(c, via, c.ids.get(via), cfg -> true);
  }

  private static Configuration awaitConfiguration(TestCluster c, int via, String member,
      java.util.function.Predicate<Configuration> wanted) {
    TestProbe<Object> probe = c.kit(via).createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      Status s = status(c, via, member);
      assertTrue(s.configIndex() > 0 && s.commitIndex() >= s.configIndex() && s.config().isPresent()
          && !s.config().get().joint() && wanted.test(s.config().get()), "committed configuration of " + member
          + " so far: " + s.config() + " at " + s.configIndex() + ", commit index " + s.commitIndex());
      return s.config().get();
    });
  }

  /** The store node {@code nodeId} says it is on, once it differs from {@code old} (its data dir was replaced). */
  private static String awaitStore(TestCluster c, int via, String nodeId, String old) {
    TestProbe<Object> probe = c.kit(via).createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      Optional<String> store = c.chronik(via).node().storeOf(nodeId);
      assertTrue(store.isPresent() && !store.get().equals(old), "store of " + nodeId + ": " + store);
      assertNotEquals(Configuration.LEGACY_STORE, store.get());
      return store.get();
    });
  }

  private static void awaitCaughtUp(TestCluster c, int node, String member) {
    TestProbe<Object> probe = c.kit(node).createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      Status s = status(c, node, member);
      assertEquals(member, s.replicaId(), "the node runs the new member's replica");
      assertTrue(s.lastIndex() > 0 && s.appliedIndex() == s.commitIndex() && s.config().isPresent()
          && s.config().get().isLearner(member), "caught up as a learner: " + s);
      return null;
    });
  }

  /** Asks the leader for {@code request} until it is done (a refusal to retry, such as a learner catching up, is retried). */
  private static ReplicaControl.ConfigChanged change(TestCluster c, String leader, ChangeRequest request) {
    TestProbe<Object> probe = c.kit(c.indexOf(leader)).createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
      ReplicaControl.ChangeConfigReply reply = changeReply(c, leader, request);
      return assertInstanceOf(ReplicaControl.ConfigChanged.class, reply, request + " -> " + reply);
    });
  }

  private static ReplicaControl.ChangeConfigReply changeReply(TestCluster c, String leader, ChangeRequest request)
      throws Exception {
    return c.chronik(c.indexOf(leader)).node().<ReplicaControl.ChangeConfigReply>ask(GROUP, leader,
        replyTo -> new ReplicaControl.ChangeConfig(request, replyTo)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
