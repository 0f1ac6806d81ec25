package io.chronik.raft.storage;

import com.typesafe.config.Config;
import io.chronik.raft.replica.StorageFactory;

/** Picks a replica's storage as {@code chronik.raft.storage} says. */
public final class ReplicaStorage {
  private ReplicaStorage() {}

  public static StorageFactory factory(Config config, String node, String group) {
    String kind = config.getString("chronik.raft.storage");
    return switch (kind) {
      case "wal" -> SegmentedLogStorage.factory(config, node, group);
      case "journal" -> JournalStorage.factory(config, node, group);
      default -> throw new IllegalArgumentException("chronik.raft.storage must be wal (chronik's own segmented "
          + "write-ahead log) or journal (the akka-persistence plugin chronik.raft.journal-plugin-id), got '"
          + kind + "'");
    };
  }
}
