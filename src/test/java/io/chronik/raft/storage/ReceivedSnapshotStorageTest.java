package io.chronik.raft.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import com.google.protobuf.ByteString;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.replica.Command;
import io.chronik.raft.replica.StorageProtocol.CompleteSnapshot;
import io.chronik.raft.replica.StorageProtocol.Recover;
import io.chronik.raft.replica.StorageProtocol.Recovered;
import io.chronik.raft.replica.StorageProtocol.SnapshotChunkStored;
import io.chronik.raft.replica.StorageProtocol.SnapshotSaved;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.replica.StorageProtocol.StoreSnapshotChunk;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotMeta;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * L1: both storages save a leader's snapshot with the configuration its chunks carried, durably:
 * a restarted storage recovers it. The completion names the snapshot by index and term only, as
 * a replica that keeps no more of the transfer than that does.
 */
class ReceivedSnapshotStorageTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      PersistenceTestKitPlugin.getInstance().config().withFallback(ActorTestKit.applicationTestConfig()));
  private static final Configuration JOINT = new Configuration(Set.of("n1/1", "n4/4"), Set.of("n1/1", "n2/2", "n3/3"),
      Set.of("n5/5"), true, 6, Map.of("n4/4", "store-4", "n5/5", "store-5"));
  private static final SnapshotMeta LEADERS = new SnapshotMeta(50, 3, Optional.of(JOINT), 48);
  private static final ByteString STATE = ByteString.copyFromUtf8("the leader's state machine, frozen at 50");
  private final TestProbe<Command> replica = testKit.createTestProbe();
  @TempDir Path dir;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void theJournalStorageKeepsTheConfigurationOfAReceivedSnapshot() {
    Path snapshots = dir.resolve("snapshots");
    String id = "received-" + dir.getFileName();
    savesAndRecoversTheConfiguration(
        () -> testKit.spawn(JournalStorage.create(id, PersistenceTestKitPlugin.PluginId(), snapshots)));
  }

  @Test
  void theWalStorageKeepsTheConfigurationOfAReceivedSnapshot() {
    savesAndRecoversTheConfiguration(
        () -> testKit.spawn(SegmentedLogStorage.create(dir.resolve("wal"), dir.resolve("snapshots"), 1 << 20)));
  }

  private void savesAndRecoversTheConfiguration(Supplier<ActorRef<StorageCommand>> start) {
    ActorRef<StorageCommand> storage = start.get();
    storage.tell(new Recover(replica.ref()));
    assertTrue(replica.expectMessageClass(Recovered.class).snapshot().isEmpty());

    storage.tell(new StoreSnapshotChunk(1, LEADERS, 0, STATE.substring(0, 10), replica.ref()));
    assertEquals(new SnapshotChunkStored(1, LEADERS, 10), replica.receiveMessage());
    storage.tell(new StoreSnapshotChunk(1, LEADERS, 10, STATE.substring(10), replica.ref()));
    assertEquals(new SnapshotChunkStored(1, LEADERS, STATE.size()), replica.receiveMessage());
    CRC32C crc = new CRC32C();
    crc.update(STATE.asReadOnlyByteBuffer());
    storage.tell(new CompleteSnapshot(1, new SnapshotMeta(50, 3), STATE.size(), crc.getValue(), replica.ref()));
    SnapshotData saved = replica.expectMessageClass(SnapshotSaved.class).snapshot();
    assertEquals(LEADERS, saved.meta(), "saved with the leader's configuration");
    assertEquals(STATE.size(), saved.size(), "the size is the state's alone");

    testKit.stop(storage);
    storage = start.get();
    storage.tell(new Recover(replica.ref()));
    SnapshotData recovered = replica.expectMessageClass(Recovered.class).snapshot().orElseThrow();
    assertEquals(LEADERS, recovered.meta());
    assertEquals(Optional.of(JOINT), recovered.meta().config());
    testKit.stop(storage);
  }
}
