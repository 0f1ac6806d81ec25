package io.chronik.raft.storage;

import akka.actor.typed.ActorSystem;
import akka.persistence.Persistence;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;

/**
 * Starts the embedded LevelDB journal with a directory the library derives itself, so that an
 * application embedding chronik needs no journal settings of its own: {@code chronik.journal.leveldb.dir}
 * empty (the default) means {@code <chronik.data-dir>/journal}. Akka Persistence keeps the first
 * instance of a plugin for the system, so starting it here, before any replica asks for it, is
 * what every replica then uses.
 */
public final class EmbeddedJournal {
  public static final String PLUGIN_ID = "chronik.journal.leveldb";

  private EmbeddedJournal() {}

  /** Where the embedded journal of this node keeps its files. */
  public static Path directory(Config config) {
    String dir = config.getString(PLUGIN_ID + ".dir");
    return dir.isEmpty() ? Path.of(config.getString("chronik.data-dir")).resolve("journal") : Path.of(dir);
  }

  /** Starts the plugin when this node's replicas use it (storage = journal on the embedded plugin). */
  public static void startIfUsed(ActorSystem<?> system) {
    Config config = system.settings().config();
    if (!config.getString("chronik.raft.storage").equals("journal")
        || !config.getString("chronik.raft.journal-plugin-id").equals(PLUGIN_ID)) {
      return;
    }
    LevelDbForcedWrites.ensure();
    Config dir = ConfigFactory.empty().withValue(PLUGIN_ID + ".dir",
        ConfigValueFactory.fromAnyRef(directory(config).toString()));
    Persistence.get(system.classicSystem()).journalFor(PLUGIN_ID, dir);
  }
}
