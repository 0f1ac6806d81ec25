package io.chronik.raft.storage;

import akka.actor.typed.Behavior;
import io.chronik.raft.replica.StorageFactory;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** {@link StorageWriteFailureContract} on chronik's write-ahead log, over a {@link FaultyDisk} per replica. */
class SegmentedLogStorageWriteFailureTest extends StorageWriteFailureContract {
  private static final long SEGMENT_BYTES = 4096;
  private final Map<String, FaultyDisk> disks = new ConcurrentHashMap<>();

  private FaultyDisk disk(String id) {
    return disks.computeIfAbsent(id, i -> new FaultyDisk());
  }

  @Override
  Behavior<StorageCommand> storage(String id) {
    return SegmentedLogStorage.create(dir.resolve("wal").resolve(id), dir.resolve("snapshots").resolve(id),
        SEGMENT_BYTES, disk(id));
  }

  @Override
  StorageFactory factory(String id) {
    return SegmentedLogStorage.factory(dir.resolve("wal").resolve(id), dir.resolve("snapshots").resolve(id),
        SEGMENT_BYTES, disk(id));
  }

  @Override
  void diskFull(String id, boolean full) {
    disk(id).fail(full ? FaultyDisk.Fault.FULL : FaultyDisk.Fault.NONE);
  }

  @Override
  int failedWrites(String id) {
    return disk(id).failures();
  }

  @Test
  void aWriteTornByAFullDiskIsNeverAcknowledgedAndCutOffTheReopenedLog() {
    aFailedWriteIsNeverAcknowledgedAndTheReopenedStorageHoldsExactlyTheAcknowledged(
        () -> disk("a").fail(FaultyDisk.Fault.TORN), () -> disk("a").fail(FaultyDisk.Fault.NONE));
  }

  @Test
  void aWriteWhoseForceFailedIsNeverAcknowledgedNorFoundInTheReopenedLog() {
    aFailedWriteIsNeverAcknowledgedAndTheReopenedStorageHoldsExactlyTheAcknowledged(
        () -> disk("a").fail(FaultyDisk.Fault.FORCE_FAILS), () -> disk("a").fail(FaultyDisk.Fault.NONE));
  }
}
