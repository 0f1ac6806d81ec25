package io.chronik.raft.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.Command;
import io.chronik.raft.replica.StorageProtocol.DiscardSnapshot;
import io.chronik.raft.replica.StorageProtocol.SnapshotChunkStored;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.replica.StorageProtocol.StoreSnapshotChunk;
import io.chronik.raft.snapshot.SnapshotMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * L1: both storages drop an abandoned InstallSnapshot transfer when the replica says so, and the
 * partial file goes with it (otherwise it stays open until the next start).
 */
class DiscardedTransferStorageTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      PersistenceTestKitPlugin.getInstance().config().withFallback(ActorTestKit.applicationTestConfig()));
  private static final SnapshotMeta META = new SnapshotMeta(50, 3);
  private final TestProbe<Command> replica = testKit.createTestProbe();
  @TempDir Path dir;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void theJournalStorageDeletesTheFileOfADiscardedTransfer() throws IOException {
    Path snapshots = dir.resolve("snapshots");
    discardsTheTransfer(testKit.spawn(JournalStorage.create("discard-" + dir.getFileName(),
        PersistenceTestKitPlugin.PluginId(), snapshots)), snapshots);
  }

  @Test
  void theWalStorageDeletesTheFileOfADiscardedTransfer() throws IOException {
    Path snapshots = dir.resolve("snapshots");
    discardsTheTransfer(testKit.spawn(SegmentedLogStorage.create(dir.resolve("wal"), snapshots, 1 << 20)), snapshots);
  }

  private void discardsTheTransfer(ActorRef<StorageCommand> storage, Path snapshots) throws IOException {
    storage.tell(new StoreSnapshotChunk(7, META, 0, ByteString.copyFromUtf8("the first chunk"), replica.ref()));
    assertEquals(new SnapshotChunkStored(7, META, 15), replica.receiveMessage());
    assertEquals(1, partialFiles(snapshots));
    storage.tell(new DiscardSnapshot(7));
    // Storage takes commands in order: once this chunk is answered, the discard was done.
    storage.tell(new StoreSnapshotChunk(7, META, 15, ByteString.copyFromUtf8("more"), replica.ref()));
    assertEquals(new SnapshotChunkStored(7, META, 0), replica.receiveMessage(), "transfer 7 is gone: start over");
    assertEquals(0, partialFiles(snapshots));
    testKit.stop(storage);
  }

  private static long partialFiles(Path snapshots) throws IOException {
    try (Stream<Path> files = Files.list(snapshots)) {
      return files.filter(f -> f.toString().endsWith(".partial")).count();
    }
  }
}
