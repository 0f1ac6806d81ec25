package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.replica.ReplicaSettings;
import org.junit.jupiter.api.Test;

class FrameSizeCheckTest {
  @Test
  void theDefaultsFitOneArteryFrame() {
    Config c = ConfigFactory.load();
    assertDoesNotThrow(() -> ClusterNode.checkFrameSize(c, ReplicaSettings.fromConfig(c.getConfig("chronik.raft"))));
  }

  @Test
  void limitsBeyondTheFrameSizeAreRefusedWithTheSettingsNamed() {
    Config c = ConfigFactory.parseString("chronik.raft.max-append-bytes = 4MiB").withFallback(ConfigFactory.load());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterNode.checkFrameSize(c, ReplicaSettings.fromConfig(c.getConfig("chronik.raft"))));
    assertTrue(e.getMessage().contains("maximum-frame-size"), e.getMessage());
  }
}
