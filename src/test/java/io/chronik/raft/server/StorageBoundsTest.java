package io.chronik.raft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.grpc.GrpcClientSettings;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.grpc.ChronikClient;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.ReadPolicy;
import io.chronik.raft.launcher.LocalCluster;
import io.chronik.raft.testing.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in measurement of what a long-running partition costs (issue 10's targets), on three
 * {@code server} processes: heap after a full GC and journal/snapshot bytes on disk before and after
 * producing {@code chronik.bounds.records} 100-byte records in batches of 100; a follower killed
 * while {@code chronik.bounds.down-records} of them (default half) are produced, catching up after
 * its restart; a node with the whole history killed (-9) and restarted.
 * {@code ./mvnw test -Dtest=StorageBoundsTest -Dchronik.storage-bounds=true}. Prints
 * {@code bounds ...} lines; asserts only that nothing was lost and that everything comes back.
 */
@Tag("processes")
@EnabledIfSystemProperty(named = "chronik.storage-bounds", matches = "true")
class StorageBoundsTest {
  private static final int BATCH = 100;
  private static final int RECORD_BYTES = 100;

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void heapDiskAndRestartTimeStayBoundedAsHistoryGrows() throws Exception {
    int records = Integer.getInteger("chronik.bounds.records", 1_000_000);
    Path dir = Files.createTempDirectory(Path.of("target"), "bounds-");
    Path conf = dir.resolve("bounds.conf");
    Files.writeString(conf, "include file(\"" + Path.of("application.conf").toAbsolutePath() + "\")\n"
        + "chronik.topics = [{ name = log, partitions = 1, replication-factor = 3, state-machine = record-log,"
        + " retention-bytes = " + System.getProperty("chronik.bounds.retention", "32MiB") + " }]\n"
        + System.getProperty("chronik.bounds.extra-config", "") + "\n");
    ActorTestKit kit = ActorTestKit.create("bounds", com.typesafe.config.ConfigFactory.parseString(
        "akka.loglevel = WARNING\nakka.actor.provider = local"));
    try (LocalCluster cluster = new LocalCluster(3, dir, conf, FreePorts.run(3),
        FreePorts.run(3), 0, dir.resolve("logs"), List.of(), false)) {
      List<ChronikClient> clients = new ArrayList<>();
      for (int i = 0; i < 3; i++) clients.add(connect(kit, cluster, i));
      cluster.awaitLeaders(clients.get(0), 120);
      int leader = awaitPreferredLeader(kit, clients.get(0), cluster);
      long[] baseline = new long[3];
      for (int i = 0; i < 3; i++) baseline[i] = liveHeapKiB(cluster.process(i).pid());
      long diskBefore = diskBytes(dir);

      int follower = (leader + 1) % 3;
      int whileDown = Integer.getInteger("chronik.bounds.down-records", records / 2);
      long firstHalf = produce(clients.get(leader), records - whileDown);
      cluster.kill(follower);
      long downStarted = System.nanoTime();
      long secondHalf = produce(clients.get(leader), whileDown);
      double downSeconds = (System.nanoTime() - downStarted) / 1e9;
      long start = System.nanoTime();
      cluster.start(follower);
      ChronikClient back = connect(kit, cluster, follower);
      long hw = firstHalf + secondHalf;
      double catchUp = awaitSafeFetch(kit, back, cluster.ids().get(follower), hw - 1, start);
      System.out.printf("bounds follower down during %,d records (%.0f s) served a safe fetch of offset %,d "
          + "%.1f s after its process started%n", whileDown, downSeconds, hw - 1, catchUp);

      long[] after = new long[3];
      for (int i = 0; i < 3; i++) after[i] = liveHeapKiB(cluster.process(i).pid());
      long diskAfter = diskBytes(dir);
      for (int i = 0; i < 3; i++) {
        System.out.printf("bounds %s live heap after full GC: %,d KiB empty, %,d KiB with %,d records (%+,d KiB)%n",
            cluster.ids().get(i), baseline[i], after[i], hw, after[i] - baseline[i]);
      }
      System.out.printf("bounds data on disk (3 nodes): %,d KiB before, %,d KiB after %,d MB of records "
          + "(journals %,d KiB, snapshots %,d KiB)%n", diskBefore / 1024, diskAfter / 1024,
          hw * RECORD_BYTES / 1_000_000, diskBytes(dir, "journal") / 1024, diskBytes(dir, "snapshots") / 1024);

      int restarted = (leader + 2) % 3; // the other follower: its kill costs the leader nothing
      cluster.kill(restarted); // kill -9: recovery without a clean shutdown
      start = System.nanoTime();
      cluster.start(restarted);
      ChronikClient again = connect(kit, cluster, restarted);
      double restart = awaitSafeFetch(kit, again, cluster.ids().get(restarted), hw - 1, start);
      System.out.printf("bounds restart after kill -9 of %s with %,d records produced served a safe fetch %.1f s "
          + "after its process started%n", cluster.ids().get(restarted), hw, restart);
      assertEquals(records, hw, "every produced record has its offset");
      for (ChronikClient c : clients) c.close();
      back.close();
      again.close();
      LocalClusterFiles.deleteQuietly(dir); // kept when the run fails: the nodes' logs are in it
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** Leadership of log-0 settles on its preferred node (leader balancing) before anything is measured. */
  private static int awaitPreferredLeader(ActorTestKit kit, ChronikClient client, LocalCluster cluster) {
    TestProbe<Object> probe = kit.createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
      io.chronik.raft.api.grpc.StatusResponse s;
      try {
        s = client.status(io.chronik.raft.api.grpc.StatusRequest.getDefaultInstance()).toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("no status: " + e);
      }
      io.chronik.raft.api.grpc.PartitionStatus p = s.getPartitionsList().stream()
          .filter(x -> x.getPartition().equals("log-0")).findFirst().orElseThrow();
      assertEquals(p.getPreferredLeader(), p.getLeader(), "leadership not settled yet");
      return cluster.ids().indexOf(p.getLeader());
    });
  }

  private static ChronikClient connect(ActorTestKit kit, LocalCluster cluster, int i) {
    return ChronikClient.create(io.chronik.raft.client.GrpcClients.settings(cluster.host(i), cluster.grpcPort(i),
        kit.system()).withTls(false).withConnectionAttempts(-1), kit.system());
  }

  /** Produces {@code count} records in batches of 100 with 8 in flight; returns how many were acknowledged. */
  private static long produce(ChronikClient client, int count) throws Exception {
    AtomicLong done = new AtomicLong();
    ProduceRequest.Builder b = ProduceRequest.newBuilder().setTopic("log").setPartition(0);
    for (int i = 0; i < BATCH; i++) b.addRecords(ByteString.copyFrom(new byte[RECORD_BYTES]));
    ProduceRequest request = b.build();
    int batches = count / BATCH;
    List<CompletableFuture<?>> lanes = new ArrayList<>();
    AtomicLong next = new AtomicLong();
    for (int lane = 0; lane < 8; lane++) {
      lanes.add(CompletableFuture.runAsync(() -> {
        while (next.getAndIncrement() < batches) {
          try {
            client.produce(request).toCompletableFuture().get(30, TimeUnit.SECONDS);
            done.addAndGet(BATCH);
          } catch (Exception e) {
            throw new IllegalStateException("produce failed", e);
          }
        }
      }));
    }
    CompletableFuture.allOf(lanes.toArray(new CompletableFuture[0])).get(15, TimeUnit.MINUTES);
    return done.get();
  }

  private static double awaitSafeFetch(ActorTestKit kit, ChronikClient client, String node, long offset, long since) {
    TestProbe<Object> probe = kit.createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(180), Duration.ofMillis(50), () -> {
      FetchResponse f;
      try {
        f = client.fetch(FetchRequest.newBuilder().setTopic("log").setPartition(0).setOffset(offset).setMaxRecords(1)
            .setMaxBytes(1 << 20).setReadPolicy(ReadPolicy.READ_POLICY_SAFE).build())
            .toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError(node + " does not serve the fetch yet: " + e);
      }
      assertEquals(node, f.getServedBy());
      assertTrue(f.getRecordsCount() == 1, "offset " + offset + " not there yet");
      return (System.nanoTime() - since) / 1e9;
    });
  }

  /** Live heap after a full GC, in KiB ({@code jcmd GC.run}, then the "used" of every generation in {@code GC.heap_info}). */
  private static long liveHeapKiB(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = Pattern.compile("generation\\s+total \\d+K, used (\\d+)K").matcher(info);
    long used = 0;
    int generations = 0;
    while (m.find()) {
      used += Long.parseLong(m.group(1));
      generations++;
    }
    if (generations == 0) throw new IllegalStateException("no heap usage in: " + info);
    return used;
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  private static long diskBytes(Path dir) throws IOException {
    return diskBytes(dir, "");
  }

  /** Bytes of the regular files under {@code dir} whose path contains {@code part} (node logs excluded). */
  private static long diskBytes(Path dir, String part) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).filter(p -> !p.toString().contains("logs"))
          .filter(p -> p.toString().contains(part)).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /** Removes a measurement's directory (no assertion depends on it). */
  private static final class LocalClusterFiles {
    static void deleteQuietly(Path dir) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a leftover under target/ is harmless
      }
    }
  }
}
