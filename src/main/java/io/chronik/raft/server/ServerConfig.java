package io.chronik.raft.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Map;

/**
 * A chronik server's configuration: chronik's settings ({@link ChronikConfig}) and the Akka
 * settings a server derives from them, so that a node is configured by chronik's keys and their
 * {@code CHRONIK_*} variables alone.
 */
public final class ServerConfig {
  private ServerConfig() {}

  public static Config load(Path applicationConf, Map<String, ?> overrides, Map<String, String> environment) {
    Config chronik = ChronikConfig.load(applicationConf, overrides, environment);
    Map<String, Object> akka = new java.util.HashMap<>(io.chronik.raft.api.TlsSettings.fromConfig(chronik).akkaSettings());
    akka.putAll(Map.of(
        "akka.actor.provider", "cluster",
        "akka.remote.artery.canonical.hostname", chronik.getString("chronik.host"),
        "akka.remote.artery.canonical.port", chronik.getInt("chronik.cluster.port"),
        "akka.cluster.seed-nodes", chronik.getStringList("chronik.cluster.seeds").stream()
            .map(seed -> "akka://chronik@" + seed).toList()));
    return ConfigFactory.parseMap(akka).withFallback(chronik);
  }
}
