package io.chronik.raft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.chronik.raft.api.GrpcServer;
import io.chronik.raft.cli.Main;
import io.chronik.raft.cluster.TestCluster;
import io.chronik.raft.testing.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The gRPC client commands against a real one-node server: text and JSON output, exit status, errors. */
@Tag("cluster")
class ClientCommandsTest {
  private static TestCluster cluster;
  private static String target;

  record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(List.of("solo"),
        "[{name = log, partitions = 2, replication-factor = 1, state-machine = record-log},"
            + " {name = kv, partitions = 1, replication-factor = 1, state-machine = key-value}]");
    ActorTestKit node = cluster.kit(0);
    int port = FreePorts.one();
    GrpcServer.bind(node.system(), "127.0.0.1", port).toCompletableFuture().get(30, TimeUnit.SECONDS);
    target = "127.0.0.1:" + port;
    node.createTestProbe().awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
      Run status = run("status", "-o", "json");
      assertTrue(status.code == 0 && !status.out.contains("\"leader\":\"\""), "every partition has a leader: " + status);
      return null;
    });
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) cluster.close();
  }


  private static Run run(String... args) {
    return runAt(target, args);
  }

  private static Run runAt(String node, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--target", node));
    int code = cli.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void putGetAndDelete() {
    Run put = run("put", "-t", "kv", "k", "v");
    assertEquals(0, put.code, put.toString());
    assertTrue(put.out.startsWith("k=v (log index "), put.toString());

    Run get = run("get", "-t", "kv", "k", "-o", "json");
    assertTrue(get.out.startsWith("{\"found\":true,\"value\":\"dg==\",\"servedBy\":\"solo\",\"appliedIndex\":"),
        "one JSON object, the value in base64: " + get);

    Run delete = run("delete", "-t", "kv", "k");
    assertEquals(0, delete.code, delete.toString());
    assertTrue(delete.out.startsWith("deleted k (was v, log index "), delete.toString());

    Run absent = run("get", "-t", "kv", "k", "-o", "json");
    assertTrue(absent.out.startsWith("{\"found\":false,\"value\":\"\","), "defaults are written too: " + absent);
    Run again = run("delete", "-t", "kv", "k", "-o", "json");
    assertTrue(again.out.startsWith("{\"hadPrevious\":false,\"previous\":\"\",\"logIndex\":"), again.toString());
  }

  @Test
  void compareAndSetWritesOnlyOnAMatchAndSaysSoInItsExitStatus() {
    assertEquals(0, run("cas", "-t", "kv", "--key", "c", "--expect-absent", "--value", "1").code);
    Run taken = run("cas", "-t", "kv", "--key", "c", "--expect-absent", "--value", "2");
    assertEquals(ClientCommands.NOT_APPLIED, taken.code, taken.toString());
    assertTrue(taken.out.startsWith("not set: c is 1 "), taken.toString());
    Run wrong = run("cas", "-t", "kv", "--key", "c", "--expected", "5", "--value", "2", "-o", "json");
    assertEquals(ClientCommands.NOT_APPLIED, wrong.code, wrong.toString());
    assertTrue(wrong.out.startsWith("{\"applied\":false,\"found\":true,\"previous\":\"MQ==\","), wrong.toString());
    assertEquals(0, run("cas", "-t", "kv", "--key", "c", "--expected", "1", "--value", "2").code);
    Run get = run("get", "-t", "kv", "c");
    assertTrue(get.out.startsWith("c=2 "), get.toString());
  }

  @Test
  void compareAndSetTakesExactlyOneExpectation() {
    Run neither = run("cas", "-t", "kv", "--key", "c", "--value", "2");
    Run both = run("cas", "-t", "kv", "--key", "c", "--expected", "1", "--expect-absent", "--value", "2");
    assertEquals(2, neither.code, neither.toString());
    assertEquals(2, both.code, both.toString());
  }

  @Test
  void fetchPrintsRecordsAsTextOrBase64() {
    assertEquals(0, run("produce", "-t", "log", "-p", "1", "r1", "ü").code);
    Run text = run("fetch", "-t", "log", "-p", "1");
    assertTrue(text.out.startsWith("0\tr1\n1\tü\n(2 record(s), "), text.toString());
    Run json = run("fetch", "-t", "log", "-p", "1", "-o", "json");
    assertTrue(json.out.startsWith("{\"records\":[\"cjE=\",\"w7w=\"],\"firstOffset\":0,\"highWatermark\":2,"),
        json.toString());
    assertEquals(1, json.out.lines().count(), "one line: " + json);
  }

  @Test
  void statusAsJson() {
    Run status = run("status", "--output", "json");
    assertEquals(0, status.code, status.toString());
    assertTrue(status.out.startsWith("{\"nodeId\":\"solo\",\"nodes\":[\"solo\"],\"partitions\":[{"), status.toString());
    assertTrue(status.out.contains("\"role\":\"leader\""), status.toString());
    assertTrue(status.out.contains("\"stateMachine\":{"), "a map as an object: " + status);
  }

  @Test
  void nodeListAsATableAndTheGroupCommandsNeedASubcommand() {
    Run list = run("node", "list");
    assertEquals(0, list.code, list.toString());
    assertTrue(list.out.startsWith("node       answering store "), list.toString());
    assertTrue(list.out.lines().anyMatch(l -> l.matches("solo +yes +s-[0-9a-f]+ +4 +0 +4 +0 +127\\.0\\.0\\.1:\\d+")),
        "the only node, holding every replica and leading all 3 partitions and the metadata group's: " + list);
    Run json = run("node", "list", "-o", "json");
    assertTrue(json.out.startsWith("{\"nodeId\":\"solo\",\"nodes\":[{\"node\":\"solo\",\"answering\":true,"),
        json.toString());
    for (String group : List.of("node", "leader")) {
      StringWriter err = new StringWriter();
      CommandLine cli = new CommandLine(new Main());
      cli.setErr(new PrintWriter(err, true));
      assertEquals(2, cli.execute(group), err.toString());
      assertTrue(err.toString().startsWith("name a subcommand: "), err.toString());
    }
    Run transfer = run("leader", "transfer", "kv", "0", "solo");
    assertEquals(0, transfer.code, transfer.toString());
    assertEquals("kv-0 is led by solo", transfer.out.strip(), "it led already: nothing to do");
  }

  @Test
  void errorsPrintTheGrpcStatusAndExitNonZeroWithoutAStackTrace() throws Exception {
    Run unknown = run("get", "-t", "nosuch", "k");
    assertEquals(ClientCommands.CALL_FAILED, unknown.code, unknown.toString());
    assertTrue(unknown.err.startsWith("NOT_FOUND: "), unknown.toString());

    Run down = runAt("127.0.0.1:" + FreePorts.one(), "status");
    assertEquals(ClientCommands.CALL_FAILED, down.code, down.toString());
    assertTrue(down.err.startsWith("UNAVAILABLE: "), down.toString());

    for (Run r : List.of(unknown, down)) {
      assertEquals("", r.out, r.toString());
      assertEquals(1, r.err.lines().count(), "one line: " + r);
      assertFalse(r.err.contains("Exception") || r.err.contains("\tat "), "no stack trace: " + r);
    }
  }
}
