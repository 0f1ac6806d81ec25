package io.chronik.raft.storage;

import akka.actor.typed.Behavior;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.replica.StorageFactory;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import java.nio.file.Path;

/**
 * {@link StorageWriteFailureContract} on the akka-persistence storage over the embedded LevelDB
 * journal (the default), whose writes fail at the plugin ({@link DiskFullLevelDbJournal}). Each
 * replica has a journal of its own, as it would on its own node: one plugin instance serves a
 * whole node, and its circuit breaker opens for every replica of that node after repeated failures.
 */
class JournalStorageWriteFailureTest extends StorageWriteFailureContract {
  private static String plugin(String id) {
    return "chronik.test.disk-full-journal-" + id;
  }

  private String persistenceId(String id) {
    return run + "/" + GROUP + "/" + id;
  }

  private Path snapshots(String id) {
    return dir.resolve("snapshots").resolve(id);
  }

  @Override
  Config config() {
    LevelDbForcedWrites.ensure();
    StringBuilder plugins = new StringBuilder();
    for (String id : REPLICAS) {
      plugins.append(plugin(id)).append(" = ${chronik.journal.leveldb}\n")
          .append(plugin(id)).append(" {\n")
          .append("  class = \"").append(DiskFullLevelDbJournal.class.getName()).append("\"\n")
          .append("  dir = \"").append(dir.resolve("journal").resolve(id).toAbsolutePath().toString().replace("\\", "/"))
          .append("\"\n")
          // akka's default is 30 s: a node's journal takes writes again up to that long after its
          // disk works again. Shorter here so that the test does not wait for it.
          .append("  circuit-breaker.reset-timeout = 1s\n")
          .append("}\n");
    }
    return ConfigFactory.parseString(plugins.toString());
  }

  @Override
  Behavior<StorageCommand> storage(String id) {
    return JournalStorage.create(persistenceId(id), plugin(id), snapshots(id));
  }

  @Override
  StorageFactory factory(String id) {
    return JournalStorage.factory(persistenceId(id), plugin(id), snapshots(id));
  }

  @Override
  void diskFull(String id, boolean full) {
    if (full) {
      DiskFullLevelDbJournal.FULL.add(persistenceId(id));
    } else {
      DiskFullLevelDbJournal.FULL.remove(persistenceId(id));
    }
  }

  @Override
  int failedWrites(String id) {
    return DiskFullLevelDbJournal.failures(persistenceId(id));
  }
}
