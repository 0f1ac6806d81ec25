package io.chronik.raft.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValueFactory;
import io.chronik.raft.cluster.ListSetting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads chronik's configuration. Highest first: overrides (a server's flags), -D system
 * properties, application.conf, environment variables (the {@code ${?CHRONIK_...}} lines of
 * reference.conf), reference.conf's defaults.
 */
public final class ChronikConfig {
  /** Settings that are lists; from an environment variable they arrive comma-separated. */
  private static final List<String> LISTS = List.of("chronik.cluster.nodes", "chronik.cluster.seeds");

  private ChronikConfig() {}

  /**
   * @param applicationConf read when it exists (the server's application.conf)
   * @param overrides highest-priority settings, e.g. from command-line options
   */
  public static Config load(Path applicationConf, Map<String, ?> overrides) {
    return load(applicationConf, overrides, System.getenv());
  }

  /** @param environment the environment variables to read (a test passes its own) */
  public static Config load(Path applicationConf, Map<String, ?> overrides, Map<String, String> environment) {
    Config app = Files.isRegularFile(applicationConf)
        ? ConfigFactory.parseFile(applicationConf.toFile())
        : ConfigFactory.empty();
    // reference.conf unresolved, and everything resolved together: a default that refers to
    // another key then follows that key's override (data-dir and cluster.nodes a node id given as
    // a flag, cluster.seeds a host and port), and the file may refer to keys set on the command line.
    Config merged = ConfigFactory.parseMap(overrides)
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(app)
        .withFallback(ConfigFactory.defaultReferenceUnresolved());
    // The environment as HOCON itself consults it, last, for ${?NAME}; but from the given map.
    ConfigObject variables = ConfigValueFactory.fromMap(environment);
    ConfigObject resolved = merged.withFallback(variables)
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false)).root();
    for (String name : environment.keySet()) {
      if (!merged.root().containsKey(name)) resolved = resolved.withoutKey(name);
    }
    return withDerivedPaths(withLists(resolved.toConfig()));
  }

  private static Config withLists(Config config) {
    for (String path : LISTS) {
      if (config.hasPath(path)) {
        config = config.withValue(path, ConfigValueFactory.fromIterable(ListSetting.read(config, path)));
      }
    }
    return config;
  }

  /** Fills settings that default to a path under {@code chronik.data-dir}. */
  public static Config withDerivedPaths(Config config) {
    if (config.getString("chronik.journal.leveldb.dir").isEmpty()) {
      String dir = io.chronik.raft.storage.EmbeddedJournal.directory(config).toString();
      config = config.withValue("chronik.journal.leveldb.dir", ConfigValueFactory.fromAnyRef(dir));
    }
    return config;
  }
}
