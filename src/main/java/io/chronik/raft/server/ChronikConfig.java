package io.chronik.raft.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Loads chronik's configuration: overrides, then application.conf, then reference.conf. */
public final class ChronikConfig {
  private ChronikConfig() {}

  /**
   * @param applicationConf read when it exists (the server's application.conf)
   * @param overrides highest-priority settings, e.g. from command-line options
   */
  public static Config load(Path applicationConf, Map<String, ?> overrides) {
    Config app = Files.isRegularFile(applicationConf)
        ? ConfigFactory.parseFile(applicationConf.toFile())
        : ConfigFactory.empty();
    // Overrides first, then the file, then reference.conf, resolved together: the file may refer
    // to chronik.node-id or chronik.data-dir set on the command line.
    Config config = ConfigFactory.parseMap(overrides).withFallback(app)
        .withFallback(ConfigFactory.defaultReference().resolve())
        .resolve();
    return withDerivedPaths(ConfigFactory.load(config));
  }

  /** Fills settings that default to a path under {@code chronik.data-dir}. */
  public static Config withDerivedPaths(Config config) {
    if (config.getString("chronik.journal.leveldb.dir").isEmpty()) {
      String dir = Path.of(config.getString("chronik.data-dir")).resolve("journal").toString();
      config = config.withValue("chronik.journal.leveldb.dir", ConfigValueFactory.fromAnyRef(dir));
    }
    return config;
  }
}
