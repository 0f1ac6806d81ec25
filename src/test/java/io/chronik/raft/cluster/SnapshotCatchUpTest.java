package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.storage.JournalStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * L2: a follower that was down while the others wrote past several compactions comes back, gets
 * the leader's snapshot in many chunks (InstallSnapshot over Artery), and serves safe reads of
 * the latest writes; the leader sends it within a snapshot budget. On chronik's own write-ahead
 * log with small segments: the segments a snapshot covers are deleted.
 */
@Tag("cluster")
class SnapshotCatchUpTest {
  private static final String SMALL_SNAPSHOTS = String.join("\n",
      "chronik.raft.storage = wal",
      "chronik.raft.wal.segment-bytes = 16KiB",
      "chronik.raft.snapshot.entries = 40",
      "chronik.raft.snapshot.retained-entries = 5",
      "chronik.raft.snapshot.chunk-bytes = 8KiB",
      // Sent within a budget (the ~300 KB snapshot: about 3 s of it), so the paced path runs over
      // Artery; that the budget holds is checked on the virtual clock (SafetySimulationTest).
      "chronik.raft.snapshot.max-send-rate = 100KiB");

  @Test
  void aFollowerBehindTheCompactedLogCatchesUpFromTheLeadersSnapshot() throws Exception {
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3"),
        "[{name = kv, partitions = 1, replication-factor = 3, state-machine = key-value}]", SMALL_SNAPSHOTS)) {
      Status leader = c.awaitLeader(0, "kv-0");
      int writer = c.indexOf(leader.replicaId());
      int down = (writer + 1) % 3;
      c.stop(down);
      ByteString value = ByteString.copyFrom(new byte[1000]);
      long last = 0;
      for (int i = 0; i < 300; i++) {
        last = c.chronik(writer).put("kv", 0, "k" + i, value.concat(ByteString.copyFromUtf8("#" + i)))
            .toCompletableFuture().get(15, TimeUnit.SECONDS).logIndex();
      }
      c.start(down);
      c.awaitAllUp();
      ChronikRaft back = c.chronik(down);
      long written = last;
      TestProbe<Object> probe = c.kit(down).createTestProbe();
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        ChronikRaft.KvRead r = back.get("kv", 0, "k299", Optional.of(ReadPolicy.SAFE), 0).toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
        assertEquals(c.ids.get(down), r.servedBy(), "served by the restarted node's own replica");
        assertTrue(r.result().getValue().endsWith(ByteString.copyFromUtf8("#299")));
        assertTrue(r.appliedIndex() >= written);
        return null;
      });
      ChronikRaft.KvRead early = back.get("kv", 0, "k3", Optional.of(ReadPolicy.UNSAFE), 0).toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
      assertTrue(early.result().getValue().endsWith(ByteString.copyFromUtf8("#3")),
          "an early write, long compacted away, came with the snapshot");
      Path wal = Path.of(c.config(writer).getString("chronik.data-dir"), "wal", c.ids.get(writer), "kv-0");
      try (Stream<Path> segments = Files.list(wal)) {
        long count = segments.count();
        assertTrue(count < 10, "the leader's log keeps only segments its snapshot does not cover, has " + count
            + " (300 writes of 1 KB in 16-KiB segments would be ~20)");
      }
      // Eventually one: a new snapshot (the follower takes its own at the next entry) is moved into
      // place before the older ones are deleted, so a listing in between sees two (seen once in CI).
      Path snapshots = JournalStorage.snapshotDir(c.config(down), c.ids.get(down), "kv-0");
      probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
        try (Stream<Path> files = Files.list(snapshots)) {
          assertEquals(1, files.filter(f -> f.toString().endsWith(".snap")).count(),
              "the restarted follower holds one snapshot, the installed one or its own after it: " + snapshots);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return null;
      });
    }
  }

  /**
   * The record log on disk: the leader's snapshots are checkpoints (a few hundred bytes naming its
   * segment files); the follower receives the segments themselves, in chunks, and serves every
   * record from its own files.
   */
  @Test
  void aFollowerCatchesUpOnARecordLogFromTheLeadersSegmentFiles() throws Exception {
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3"),
        "[{name = orders, partitions = 1, replication-factor = 3, state-machine = record-log, segment-bytes = 8KiB}]",
        SMALL_SNAPSHOTS)) {
      Status leader = c.awaitLeader(0, "orders-0");
      int writer = c.indexOf(leader.replicaId());
      int down = (writer + 1) % 3;
      c.stop(down);
      for (int i = 0; i < 300; i++) {
        ByteString record = ByteString.copyFrom(new byte[1000]).concat(ByteString.copyFromUtf8("#" + i));
        c.chronik(writer).produce("orders", 0, List.of(record)).toCompletableFuture().get(15, TimeUnit.SECONDS);
      }
      c.start(down);
      c.awaitAllUp();
      ChronikRaft back = c.chronik(down);
      TestProbe<Object> probe = c.kit(down).createTestProbe();
      List<ByteString> served = probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        ChronikRaft.Fetched f = back.fetch("orders", 0, 0, 1000, 1 << 30, Optional.of(ReadPolicy.SAFE), 0)
            .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(c.ids.get(down), f.servedBy(), "served by the restarted node's own replica");
        assertEquals(300, f.records().size());
        return f.records();
      });
      for (int i = 0; i < 300; i++) {
        assertTrue(served.get(i).endsWith(ByteString.copyFromUtf8("#" + i)), "offset " + i);
      }
      Path leaderSnapshots = JournalStorage.snapshotDir(c.config(writer), c.ids.get(writer), "orders-0");
      try (Stream<Path> files = Files.list(leaderSnapshots)) {
        for (Path f : files.filter(f -> f.toString().endsWith(".snap")).toList()) {
          assertTrue(Files.size(f) < 4096, "the leader's snapshot is a checkpoint naming its files: " + f + " has "
              + Files.size(f) + " bytes");
        }
      }
      // The follower takes its own snapshot (a checkpoint) at the next entry: the received copy of
      // every record does not stay on its disk beside the segment files.
      c.chronik(writer).produce("orders", 0, List.of(ByteString.copyFromUtf8("one more"))).toCompletableFuture()
          .get(15, TimeUnit.SECONDS);
      Path followerSnapshots = JournalStorage.snapshotDir(c.config(down), c.ids.get(down), "orders-0");
      probe.awaitAssert(Duration.ofSeconds(15), Duration.ofMillis(200), () -> {
        try (Stream<Path> files = Files.list(followerSnapshots)) {
          List<Path> snaps = files.filter(f -> f.toString().endsWith(".snap")).toList();
          assertEquals(1, snaps.size(), snaps.toString());
          assertTrue(Files.size(snaps.get(0)) < 4096, "the follower's snapshot is its own checkpoint now: "
              + Files.size(snaps.get(0)) + " bytes");
        }
        return null;
      });
      Path records = Path.of(c.config(down).getString("chronik.data-dir"), "records", c.ids.get(down), "orders-0");
      try (Stream<Path> generations = Files.list(records)) {
        assertEquals(1, generations.count(), "one generation of segment files on the follower: " + records);
      }
    }
  }
}
