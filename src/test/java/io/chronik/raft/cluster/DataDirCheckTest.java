package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** A node never starts on a data directory its configuration derived for another node id. */
class DataDirCheckTest {
  private static final Config N2 = ConfigFactory.parseString("chronik.node-id = n2");

  @Test
  void settingsLayeredOverAResolvedConfigurationAreRefusedWithTheFix() {
    Config stale = N2.withFallback(ConfigFactory.load()).resolve();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterNode.checkDataDir(stale, "n2"));
    assertTrue(e.getMessage().contains("ConfigFactory.load(yourSettings.withFallback(ConfigFactory.defaultApplication()))"),
        e.getMessage());
  }

  @Test
  void settingsLoadedTogetherWithTheDefaultsOrAnExplicitDirectoryAreFine() {
    assertDoesNotThrow(() -> ClusterNode.checkDataDir(ConfigFactory.load(N2.withFallback(ConfigFactory.defaultApplication())), "n2"));
    assertDoesNotThrow(() -> ClusterNode.checkDataDir(ConfigFactory.parseString("chronik.data-dir = /var/lib/chronik")
        .withFallback(N2).withFallback(ConfigFactory.load()).resolve(), "n2"));
  }
}
