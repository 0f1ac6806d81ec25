package io.chronik.raft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chronik.raft.api.grpc.StatusResponse;
import io.chronik.raft.launcher.LocalCluster;
import io.chronik.raft.testing.FreePorts;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * L4 (shared/TESTING.md), opt-in: {@code ./mvnw test -Dtest=DiskFullTest -Dchronik.l4=true}, as
 * root. Three server processes under the {@link ProcessWorkload}; node-3's data directory is a
 * 64 MiB tmpfs of its own. A filler file takes all but 32 KiB of it (topped up every 2 s), the
 * load fills the rest, and the disk stays full for {@code -Dchronik.l4.disk-full-s} (default 30) seconds; then the
 * filler goes (space returns). {@code -Dchronik.l4.storage=wal} runs it on chronik's own
 * write-ahead log instead of the default journal.
 *
 * <p>Checked: the majority goes on serving writes and safe reads; node-3's replicas stop taking
 * entries (status: faulted) without diverging and without a log line per entry; once space
 * returns, node-3 serves a safe read itself with no restart by hand; then every acknowledged
 * record is audited through every node — present, identical, at the same offset — and the
 * histories are checked as in L3.
 */
@Tag("processes")
class DiskFullTest {
  /** What the filler leaves free of node-3's disk: the load takes it within a second or two. */
  private static final long FREE = 32 << 10;
  private static final Pattern LOG_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (ERROR|WARN) .*");

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void aNodeWhoseDiskFillsStopsTakingEntriesWithoutDivergingAndCatchesUpWhenSpaceReturns() throws Exception {
    assumeTrue(Boolean.getBoolean("chronik.l4"), "L4 runs with -Dchronik.l4=true (root, tmpfs mounts)");
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
    long fullSeconds = Long.getLong("chronik.l4.disk-full-s", 30);
    String storage = System.getProperty("chronik.l4.storage", "journal");
    double bound = Double.parseDouble(System.getProperty("chronik.l4.max-unavailable-s", "5"));
    Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "l4-disk-");
    Path conf = ProcessWorkload.config(dir, Path.of("application.conf"));
    Files.writeString(conf, Files.readString(conf) + "chronik.raft.storage = " + storage + "\n"
        // snapshots and compaction run during the test too
        + "chronik.raft.snapshot.entries = 2000\n");
    Path fullDisk = Files.createDirectories(dir.resolve("node-3"));
    run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", fullDisk.toString());
    Path filler = fullDisk.resolve("filler");
    try (LocalCluster cluster = new LocalCluster(3, dir, conf, FreePorts.run(3),
            FreePorts.run(3), 0, dir.resolve("logs"), List.of("-XX:TieredStopAtLevel=1"), false);
        ProcessWorkload w = new ProcessWorkload(cluster)) {
      w.awaitLeaders();
      w.start(9, 19L);
      w.pause(Duration.ofSeconds(8));

      Path log = dir.resolve("logs").resolve("node-3.log");
      long linesBefore = lines(log);
      w.fault("node-3's disk full " + fullSeconds + " s", "node-3");
      TreeSet<String> faulted = new TreeSet<>();
      for (long s = 0; s < fullSeconds; s += 2) {
        // Kept full: what a compaction or a deleted segment frees is taken again.
        fill(filler, Files.getFileStore(fullDisk).getUsableSpace() - FREE);
        w.pause(Duration.ofSeconds(2));
        faulted.addAll(faultedReplicasOf(w.status(), "node-3"));
      }
      long errorLines = countErrorLines(log, linesBefore);

      w.fault("space returns", "node-3");
      Files.delete(filler);
      long freed = System.nanoTime();
      double servingAfter = w.awaitServing(2, freed);
      w.pause(Duration.ofSeconds(8));
      w.stop();

      ProcessWorkload.Report r = w.check();
      ProcessWorkload.Audit audit = w.audit();
      System.out.print("l4 disk full (longest time without a successful write / read, per partition):\n" + r.table());
      System.out.printf("l4 disk-full storage=%s full_s=%d faulted_replicas=%s error_or_warn_lines_while_full=%d "
              + "serving_safe_reads_after_space_returned_s=%.1f%n", storage, fullSeconds, faulted, errorLines,
          servingAfter);
      System.out.printf("l4 disk-full audit acknowledged_records_x_nodes=%d lost=%d different=%d %s%n",
          audit.acknowledged(), audit.lost(), audit.different(), audit.samples());
      System.out.printf("l4 disk-full ops=%d violations=%d max_unavailable_s=%.1f unknown_ops=%d%n", r.ops(),
          r.violations().size(), r.maxUnavailableSeconds(), r.unknownOps());
      for (int i = 0; i < 3; i++) {
        assertTrue(cluster.running(i), cluster.ids().get(i) + " exited: a full disk must not end the process");
      }
      assertTrue(r.violations().isEmpty(), "violations:\n" + String.join("\n", r.violations()));
      assertEquals(0, audit.lost(), "acknowledged records lost: " + audit.samples());
      assertEquals(0, audit.different(), "acknowledged records differ: " + audit.samples());
      assertTrue(audit.acknowledged() > 0, "the load acknowledged records");
      assertTrue(!faulted.isEmpty(), "node-3's replicas never showed the fault in status: did the disk fill?");
      assertTrue(errorLines <= 20L * fullSeconds, errorLines + " error/warning lines in " + fullSeconds
          + " s of a full disk: not one per entry");
      assertTrue(r.maxUnavailableSeconds() <= bound, "unavailable for " + r.maxUnavailableSeconds() + " s:\n"
          + r.table());
    } finally {
      Files.deleteIfExists(filler);
      run("umount", "-l", fullDisk.toString());
    }
  }

  /** node's replicas that status shows as faulted, by partition. */
  private static List<String> faultedReplicasOf(StatusResponse s, String node) {
    return s.getPartitionsList().stream()
        .flatMap(p -> p.getReplicasList().stream().filter(r -> r.getNode().equals(node) && !r.getFault().isEmpty())
            .map(r -> p.getPartition()))
        .toList();
  }

  /** Appends {@code bytes} to {@code file}, or as much as fits. */
  private static void fill(Path file, long bytes) throws IOException {
    byte[] chunk = new byte[64 << 10];
    try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND)) {
      for (long left = Math.max(0, bytes); left > 0; left -= chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left")) throw e;
    }
  }

  private static long lines(Path log) throws IOException {
    try (var all = Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
      return all.count();
    }
  }

  private static long countErrorLines(Path log, long skip) throws IOException {
    try (var all = Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
      return all.skip(skip).filter(l -> LOG_LINE.matcher(l).matches()).count();
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed");
    }
  }
}
