package io.chronik.raft.example.bank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import io.chronik.raft.testing.FreePorts;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Akka Persistence example as an operator would test it: three members (JVMs of their own) of
 * an Akka Cluster application with cluster-sharded, event-sourced accounts whose events chronik
 * keeps. Under a load of deposits, member n2 is stopped (SIGTERM), started again, then n3 is
 * killed (SIGKILL): the accounts recover on the surviving members, and n1 then finds every
 * acknowledged deposit in its account and in an eventsByTag projection, once each and in order.
 */
@Tag("processes")
class BankExampleTest {
  private static final int ACCOUNTS = 40;
  /** Under target/, kept after the run: the members' logs and data are what to read when it fails. */
  private final Path workDir = createWorkDir();
  private final List<Process> processes = new ArrayList<>();
  private final ActorTestKit kit = ActorTestKit.create();

  @AfterEach
  void stopAll() {
    for (Process p : processes) p.destroyForcibly();
    kit.shutdownTestKit();
  }

  @Test
  void everyAcknowledgedDepositSurvivesAStoppedAndAKilledMember() throws Exception {
    int[] ports = {FreePorts.one(), FreePorts.one(), FreePorts.one()};
    String seeds = ports[0] + "," + ports[1] + "," + ports[2];
    Process n1 = start("n1", "n1", ports[0], seeds, "drive", String.valueOf(ACCOUNTS));
    Process n2 = start("n2", "n2", ports[1], seeds);
    Process n3 = start("n3", "n3", ports[2], seeds);
    awaitLog("n1", "load started", Duration.ofSeconds(180));
    awaitAcked(100, "under load");

    n2.destroy();
    assertTrue(n2.waitFor(60, TimeUnit.SECONDS), "n2 did not stop within 60 s of SIGTERM:\n" + log("n2"));
    awaitAcked(acked() + 100, "after n2 stopped");
    start("n2", "n2-again", ports[1], seeds);
    // A member again before n3 goes: else n1 alone is no majority, and the split-brain resolver downs it.
    awaitLog("n2-again", "n2 up", Duration.ofSeconds(120));
    awaitAcked(acked() + 100, "after n2 started again");

    n3.destroyForcibly();
    assertTrue(n3.waitFor(30, TimeUnit.SECONDS), "n3 was not killed");
    awaitAcked(acked() + 100, "after n3 was killed");

    try (OutputStream stdin = n1.getOutputStream()) {
      stdin.write("stop\n".getBytes(StandardCharsets.UTF_8));
    }
    boolean ended = n1.waitFor(300, TimeUnit.SECONDS);
    String out = log("n1");
    System.out.println(out.lines().filter(l -> !l.startsWith("acked ")).reduce("", (a, b) -> a + b + "\n"));
    assertTrue(ended, "n1 did not finish its check within 300 s:\n" + out);
    assertTrue(out.contains("VERIFIED"), out);
    assertEquals(0, n1.exitValue(), out);
  }

  /** Starts member {@code node}, its output in {@code <logName>.log}. */
  private Process start(String node, String logName, int port, String seeds, String... drive) throws IOException {
    Path project = Path.of("").toAbsolutePath();
    String classpath = String.join(java.io.File.pathSeparator, project.resolve("target/test-classes").toString(),
        project.resolve("target/classes").toString(),
        Files.readString(project.resolve("target/test-classpath.txt")).trim());
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classpath, "-Dconfig.resource=example/bank.conf",
        BankMember.class.getName(), node, String.valueOf(port), seeds));
    command.addAll(List.of(drive));
    Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve(logName + ".log").toFile())).start();
    processes.add(p);
    return p;
  }

  private String log(String logName) throws IOException {
    Path file = workDir.resolve(logName + ".log");
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static final Pattern ACKED = Pattern.compile("(?m)^acked (\\d+)");

  private long acked() throws IOException {
    Matcher m = ACKED.matcher(log("n1"));
    long last = 0;
    while (m.find()) last = Long.parseLong(m.group(1));
    return last;
  }

  private void awaitAcked(long target, String when) {
    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(120), Duration.ofMillis(200), () -> {
      long now;
      System.out.flush();
      try {
        now = acked();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      assertTrue(now >= target, "n1 acknowledged " + now + " deposits, not yet " + target + " " + when);
      return null;
    });
  }

  private void awaitLog(String node, String line, Duration within) {
    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(within, Duration.ofMillis(200), () -> {
      String out;
      try {
        out = log(node);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      assertTrue(out.contains(line), node + " has not printed '" + line + "':\n" + out);
      return null;
    });
  }

  private static Path createWorkDir() {
    try {
      return Files.createTempDirectory(Files.createDirectories(Path.of("target")), "bank-example-");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

}
