package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kcat (librdkafka, from Debian's packages; {@code .ci/run} installs it) against a three-node
 * cluster: it produces gzip-compressed batches with idempotence on, and consumes to the end
 * ({@code -e}) from the follower in its rack ({@code client.rack}); right after each acknowledged
 * produce, a kcat started at that record's offset must get it — the follower's answer is a
 * ReadIndex read, so its end is never before an acknowledged write.
 *
 * <p>{@code -Dchronik.kcat-tries=N} (default 20) sets the read-after-acknowledge tries;
 * {@code -Dchronik.kcat-policy=unsafe} runs them against Kafka's own semantics (local state) and
 * only reports how often kcat stopped early; {@code -Dchronik.kcat-config=...} adds node settings (a
 * longer {@code chronik.raft.heartbeat-interval}, say, after which a follower learns a commit).
 */
@Tag("cluster")
@Tag("processes")
class KcatClusterTest {
  private static final String TOPIC = "logs";

  @Test
  void producesWithGzipAndIdempotenceAndConsumesToTheEndFromAFollower() throws Exception {
    String kcat = kcat();
    String policy = System.getProperty("chronik.kcat-policy", "safe");
    int tries = Integer.getInteger("chronik.kcat-tries", 20);
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3"),
        "[{ name = " + TOPIC + ", partitions = 1, replication-factor = 3, state-machine = kafka }]",
        "chronik.raft.follower-read-policy = " + policy + "\n" + System.getProperty("chronik.kcat-config", ""))) {
      int[] ports = new int[3];
      for (int i = 0; i < 3; i++) ports[i] = KafkaClientsClusterTest.bind(c, i);
      KafkaClientsClusterTest.awaitBrokers(c, 0, 3);
      String follower = c.ids.get(KafkaClientsClusterTest.reader(c, 0, TOPIC + "-0"));
      String leader = io.chronik.raft.core.Configuration.nodeOf(c.awaitLeader(0, TOPIC + "-0").leader().orElseThrow());
      String brokers = "127.0.0.1:" + ports[c.indexOf(leader)];

      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 500; i++) lines.add("line-" + i + " " + "x".repeat(i % 40));
      run(List.of(kcat, "-P", "-b", brokers, "-t", TOPIC, "-p", "0", "-z", "gzip", "-X", "enable.idempotence=true",
          "-X", "acks=all"), String.join("\n", lines) + "\n");
      List<String> consumed = run(List.of(kcat, "-C", "-b", brokers, "-t", TOPIC, "-p", "0", "-o", "beginning", "-e",
          "-q", "-X", "client.rack=rack-" + follower, "-f", "%o %s\\n"), "");
      assertEquals(lines.size(), consumed.size(), "every produced line, to the end: " + tail(consumed));
      for (int i = 0; i < lines.size(); i++) assertEquals(i + " " + lines.get(i), consumed.get(i));

      int followerIndex = c.indexOf(follower);
      assertTrue(KafkaClientsClusterTest.fetched(c, followerIndex, "here") > 0, "kcat fetched from the follower");
      double redirected = 0;
      for (int i = 0; i < 3; i++) redirected += KafkaClientsClusterTest.fetched(c, i, "redirected");
      assertTrue(redirected > 0, "kcat was sent to the follower in its rack");
      int early = 0;
      try (KafkaProducer<String, String> producer = KafkaClientsClusterTest.producer(ports[c.indexOf(leader)])) {
        for (int i = 0; i < tries; i++) {
          long offset = producer.send(new ProducerRecord<>(TOPIC, 0, null, "ack-" + i)).get(30, TimeUnit.SECONDS)
              .offset();
          List<String> got = run(List.of(kcat, "-C", "-b", brokers, "-t", TOPIC, "-p", "0", "-o", String.valueOf(offset),
              "-e", "-q", "-X", "client.rack=rack-" + follower, "-f", "%o %s\\n"), "");
          if (!got.contains(offset + " ack-" + i)) early++;
        }
      }
      System.out.printf("kcat -C -e from follower %s (policy %s): %d of %d tries stopped before the record "
          + "acknowledged just before%n", follower, policy, early, tries);
      if (policy.equals("safe")) assertEquals(0, early, "kcat stopped early although reads are ReadIndex reads");
    }
  }

  private static String tail(List<String> lines) {
    return lines.isEmpty() ? "nothing" : lines.size() + " lines, last: " + lines.get(lines.size() - 1);
  }

  private static String kcat() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, "kcat");
      if (Files.isExecutable(p)) return p.toString();
    }
    throw new AssertionError("kcat is not installed: apt-get install kcat (.ci/run installs it)");
  }

  /** Runs {@code command} with {@code input} on stdin; its stdout lines; fails on a non-zero exit or after 60 s. */
  private static List<String> run(List<String> command, String input) throws IOException, InterruptedException {
    Path err = Files.createTempFile("kcat", ".err");
    Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
    p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    boolean done = p.waitFor(60, TimeUnit.SECONDS);
    String stderr = Files.readString(err);
    Files.deleteIfExists(err);
    if (!done) p.destroyForcibly();
    assertTrue(done && p.exitValue() == 0, String.join(" ", command) + " failed: " + stderr);
    String text = new String(out, StandardCharsets.UTF_8);
    return text.isEmpty() ? List.of() : List.of(text.split("\n"));
  }
}
