package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.api.GrpcServer;
import io.chronik.raft.cli.Main;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.testing.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The operator's path for membership changes, end to end: the {@code chronik node} and
 * {@code chronik leader} commands against a node's gRPC API, on three listed nodes and one spare.
 * Every acknowledged write is read back afterwards.
 */
@Tag("cluster")
class NodeAdminClusterTest {
  private static final String KV4 = "[{name = kv, partitions = 4, replication-factor = 3, state-machine = key-value}]";

  record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  @Test
  void aSpareIsListedThenAddedLeadsAPartitionAndAListedNodeIsRemoved() throws Exception {
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3", "n4"), List.of("n1", "n2", "n3"), KV4, "")) {
      int port = FreePorts.one();
      GrpcServer.bind(c.kit(0).system(), "127.0.0.1", port).toCompletableFuture().get(30, TimeUnit.SECONDS);
      String target = "127.0.0.1:" + port;
      for (int p = 0; p < 4; p++) {
        for (int k = 0; k < 5; k++) {
          c.chronik(0).put("kv", p, "k" + k, ByteString.copyFromUtf8("p" + p + "v" + k)).toCompletableFuture()
              .get(20, TimeUnit.SECONDS);
        }
      }
      TestProbe<Object> probe = c.kit(0).createTestProbe();

      // Every partition records the files' configuration in its log once all voters run; status says so.
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        Run status = run(target, "status", "-o", "json");
        assertEquals(5, count(status.out, "\"configCommitted\":true"), "4 partitions and the metadata group: " + status);
        assertFalse(status.out.contains("\"configIndex\":0,\"configCommitted\""), "recorded in the log: " + status);
        return null;
      });
      Run spare = probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        Run list = run(target, "node", "list");
        assertEquals(0, list.code, list.toString());
        assertTrue(row(list.out, "n4").matches("n4 +yes +s-[0-9a-f]+ +0 +0 +0 +0 +-"), "a spare holding nothing: " + list);
        return list;
      });
      for (String listed : List.of("n1", "n2", "n3")) {
        assertTrue(row(spare.out, listed).matches(listed + " +yes +s-[0-9a-f]+ +5 +0 +\\d +0 +.*"), spare.toString());
      }

      Run unknown = run(target, "node", "add", "n9");
      assertEquals(1, unknown.code, unknown.toString());
      assertTrue(unknown.err.startsWith("NOT_FOUND: node n9 is not known to node n1")
          && unknown.err.contains("`chronik server` and `--seeds`") && unknown.err.contains("`chronik node list`"),
          unknown.toString());
      assertEquals(1, run(target, "node", "remove", "n9").code);

      // node add, and a second operation on the same node while it runs.
      StringWriter addOut = new StringWriter();
      CompletableFuture<Run> add = CompletableFuture.supplyAsync(() -> runInto(addOut, target, "node", "add", "n4"));
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(20), () -> {
        assertTrue(addOut.toString().contains("move(s) planned") || add.isDone(), addOut.toString());
        return null;
      });
      Run second = run(target, "node", "remove", "n2");
      Run added = add.get(120, TimeUnit.SECONDS);
      assertEquals(1, second.code, second.toString());
      assertTrue(second.err.startsWith("FAILED_PRECONDITION: another membership operation is running on this node: "
          + "node add n4"), second.toString());
      assertEquals(0, added.code, added.toString());
      List<String> lines = added.out.lines().toList();
      assertTrue(lines.get(0).startsWith("3 move(s) planned: "), "15 voters (4 partitions and the metadata group) over 4 nodes: n4's share is 3; " + added);
      assertTrue(lines.stream().anyMatch(l -> l.contains("is a learner; it catches up")), added.toString());
      assertTrue(lines.get(lines.size() - 1).matches("done: 3 move\\(s\\); n4 now holds 3 voter\\(s\\), 0 learner\\(s\\), "
          + "\\d leader\\(s\\)"), added.toString());
      Run afterAdd = run(target, "node", "list", "-o", "json");
      assertTrue(afterAdd.out.contains("{\"node\":\"n4\",\"answering\":true,\"store\":\"s-"), afterAdd.toString());
      assertTrue(afterAdd.out.strip().matches(".*\"node\":\"n4\",[^}]*\"voters\":3,\"learners\":0,.*"), afterAdd.toString());
      Run status = run(target, "status");
      assertTrue(Pattern.compile("^kv-\\d +n4/\\d+ ", Pattern.MULTILINE).matcher(status.out).find(),
          "status lists the members the moves added: " + status);

      // leader transfer to n4, of a partition it holds a voter of.
      ReplicaMover.GroupView onN4 = c.chronik(0).mover().views().values().stream()
          .filter(v -> v.config().get().voters().stream().anyMatch(m -> Configuration.nodeOf(m).equals("n4")))
          .findFirst().orElseThrow();
      String partition = onN4.group().substring("kv-".length());
      Run transfer = run(target, "leader", "transfer", "kv", partition, "n4");
      assertEquals(0, transfer.code, transfer.toString());
      assertTrue(transfer.out.strip().matches("(?s).*" + onN4.group() + " is led by n4/\\d+"), transfer.toString());
      Run notAVoter = run(target, "leader", "transfer", "kv", partition, "n9");
      assertTrue(notAVoter.err.startsWith("NOT_FOUND: node n9 is not known"), notAVoter.toString());

      // node remove of a listed node: all its replicas move, each to the node holding none of that partition.
      Matcher onN2 = Pattern.compile("\"node\":\"n2\",[^}]*\"voters\":(\\d+),").matcher(afterAdd.out);
      assertTrue(onN2.find(), afterAdd.toString());
      int held = Integer.parseInt(onN2.group(1));
      Run removed = run(target, "node", "remove", "n2");
      assertEquals(0, removed.code, removed.toString());
      assertTrue(removed.out.startsWith(held + " move(s) planned: "), removed.toString());
      assertTrue(removed.out.strip().endsWith("done: " + held + " move(s); n2 now holds 0 voter(s), 0 learner(s), "
          + "0 leader(s)"), removed.toString());
      Run list = run(target, "node", "list");
      assertTrue(row(list.out, "n2").matches("n2 +yes +s-[0-9a-f]+ +0 +0 +0 +0 +.*"), list.toString());
      for (String n : List.of("n1", "n3", "n4")) {
        assertTrue(row(list.out, n).matches(n + " +yes +s-[0-9a-f]+ +5 +0 +\\d +0 +.*"), list.toString());
      }
      // Every partition's voters changed, so none has a preferred leader any more: the leader
      // balancer (on the metadata group's leader) spreads the five leaderships, 2/2/1, also after
      // an operator piled four of them on n1.
      for (int p = 0; p < 4; p++) {
        Run toN1 = run(target, "leader", "transfer", "kv", String.valueOf(p), "n1");
        assertEquals(0, toN1.code, toN1.toString());
      }
      long movesEnded = System.nanoTime();
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        Run now = run(target, "node", "list");
        List<Integer> led = new ArrayList<>();
        for (String n : List.of("n1", "n3", "n4")) led.add(Integer.parseInt(row(now.out, n).trim().split(" +")[5]));
        assertTrue(java.util.Collections.max(led) - java.util.Collections.min(led) <= 1, "leaders of n1, n3, n4: "
            + led + "\n" + now);
        return null;
      });
      System.out.printf("l2 leader balance: four leaderships piled on n1 spread to within one per node in %.1f s%n",
          (System.nanoTime() - movesEnded) / 1e9);

      // A node that does not answer is removed only with --force.
      c.stop(2);
      Run dead = probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        Run r = run(target, "node", "remove", "n3");
        assertTrue(r.err.startsWith("FAILED_PRECONDITION: node n3 is not answering; if it is gone for good, use "
            + "--force"), r.toString());
        return r;
      });
      assertEquals(1, dead.code, dead.toString());

      for (int p = 0; p < 4; p++) {
        for (int k = 0; k < 5; k++) {
          ChronikRaft.KvRead r = c.chronik(0).get("kv", p, "k" + k, Optional.of(ReadPolicy.SAFE), 0)
              .toCompletableFuture().get(20, TimeUnit.SECONDS);
          assertEquals("p" + p + "v" + k, r.result().getValue().toStringUtf8(), "kv-" + p + " k" + k);
        }
      }
    }
  }

  /**
   * {@code node cancel} stops a {@code node add} at a safe point: the partitions' snapshots go at
   * 8 KiB/s, so each new learner needs seconds to catch up, and the cancel, sent as soon as the
   * first learner catches up, lands while it does (or before the next move). Nothing half done
   * stays: no learner anywhere, every partition on three committed voters, n4 holding only the
   * moves the error names; every write still there; running node add again finishes it.
   */
  @Test
  void nodeCancelStopsANodeAddAtASafePointAndLeavesNoLearnerBehind() throws Exception {
    String slowSnapshots = String.join("\n", "chronik.raft.snapshot.entries = 20",
        "chronik.raft.snapshot.retained-entries = 2", "chronik.raft.snapshot.chunk-bytes = 4KiB",
        "chronik.raft.snapshot.max-send-rate = 8KiB");
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3", "n4"), List.of("n1", "n2", "n3"), KV4,
        slowSnapshots)) {
      int port = FreePorts.one();
      GrpcServer.bind(c.kit(0).system(), "127.0.0.1", port).toCompletableFuture().get(30, TimeUnit.SECONDS);
      String target = "127.0.0.1:" + port;
      ByteString value = ByteString.copyFrom(new byte[1000]);
      for (int p = 0; p < 4; p++) {
        for (int k = 0; k < 40; k++) {
          c.chronik(0).put("kv", p, "k" + k, value.concat(ByteString.copyFromUtf8("p" + p + "v" + k)))
              .toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
      }
      TestProbe<Object> probe = c.kit(0).createTestProbe();
      Run idle = run(target, "node", "cancel");
      assertEquals(1, idle.code, idle.toString());
      assertTrue(idle.err.startsWith("FAILED_PRECONDITION: no membership operation is running on node n1"), idle.toString());
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        Run list = run(target, "node", "list");
        assertTrue(row(list.out, "n4").matches("n4 +yes +s-[0-9a-f]+ +0 +0 +0 +0 +-"), "a spare holding nothing: " + list);
        return null;
      });

      StringWriter addOut = new StringWriter();
      CompletableFuture<Run> add = CompletableFuture.supplyAsync(() -> runInto(addOut, target, "node", "add", "n4"));
      probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(20), () -> {
        assertTrue(addOut.toString().contains("is a learner; it catches up"), addOut.toString());
        return null;
      });
      Run cancel = run(target, "node", "cancel");
      assertEquals(0, cancel.code, cancel.toString());
      assertTrue(cancel.out.startsWith("cancelling node add n4 (running for "), cancel.toString());
      Run added = add.get(120, TimeUnit.SECONDS);
      System.out.println("l2 node cancel: " + added.err.strip());
      assertEquals(1, added.code, added.toString());
      Matcher stopped = Pattern.compile("^CANCELLED: node add n4 cancelled after (\\d) of 3 move\\(s\\)").matcher(added.err);
      assertTrue(stopped.find(), added.toString());
      int made = Integer.parseInt(stopped.group(1));
      assertTrue(made <= 1, "the cancel came during the first move's catch-up: " + added);

      Run status = run(target, "status", "-o", "json");
      assertFalse(status.out.contains("\"learners\":[\""), "no learner left anywhere: " + status);
      assertFalse(status.out.contains("\"learner\":true"), "no learner left anywhere: " + status);
      assertEquals(5, count(status.out, "\"configCommitted\":true"), status.toString());
      Run list = run(target, "node", "list");
      assertTrue(row(list.out, "n4").matches("n4 +yes +s-[0-9a-f]+ +" + made + " +0 +\\d +0 +.*"),
          "n4 holds the " + made + " move(s) made: " + list);

      Run again = run(target, "node", "add", "n4");
      assertEquals(0, again.code, again.toString());
      assertTrue(again.out.strip().matches("(?s).*done: " + (3 - made) + " move\\(s\\); n4 now holds 3 voter\\(s\\), "
          + "0 learner\\(s\\).*"), again.toString());
      for (int p = 0; p < 4; p++) {
        for (int k = 0; k < 40; k++) {
          ChronikRaft.KvRead r = c.chronik(3).get("kv", p, "k" + k, Optional.of(ReadPolicy.SAFE), 0)
              .toCompletableFuture().get(20, TimeUnit.SECONDS);
          assertTrue(r.result().getValue().endsWith(ByteString.copyFromUtf8("p" + p + "v" + k)), "kv-" + p + " k" + k);
        }
      }
    }
  }

  static Run run(String target, String... args) {
    return runInto(new StringWriter(), target, args);
  }

  /** Runs the command line, its standard output going to {@code out} as it is printed. */
  private static Run runInto(StringWriter out, String target, String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--target", target));
    int code = cli.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  /** The row of {@code node} in a {@code node list} table. */
  private static String row(String table, String node) {
    return table.lines().filter(l -> l.startsWith(node + " ")).findFirst().orElse("(no row for " + node + ")");
  }

  private static int count(String text, String part) {
    Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
    int n = 0;
    while (m.find()) n++;
    return n;
  }
}
