package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplicaSettingsTest {
  @Test
  void referenceConfHoldsEverySettingWithItsDefault() {
    ReplicaSettings s = ReplicaSettings.fromConfig(ConfigFactory.load().getConfig("chronik.raft"));
    assertEquals(Duration.ofSeconds(1), s.electionTimeout());
    assertEquals(Duration.ofMillis(100), s.heartbeatInterval());
    assertEquals(Duration.ofSeconds(5), s.readIndexTimeout());
    assertEquals(ReadPolicy.SAFE, s.defaultReadPolicy());
    assertEquals(256 * 1024, s.maxEntryBytes());
    assertTrue(s.preVote() && s.checkQuorum());
  }

  @Test
  void settingsAreReadFromConfig() {
    ReplicaSettings s = ReplicaSettings.fromConfig(ConfigFactory.parseString(
            "follower-read-policy = unsafe\nread-index-timeout = 750ms\nmax-read-lag = 12")
        .withFallback(ConfigFactory.load().getConfig("chronik.raft")));
    assertEquals(ReadPolicy.UNSAFE, s.defaultReadPolicy());
    assertEquals(Duration.ofMillis(750), s.readIndexTimeout());
    assertEquals(12, s.maxReadLag());
  }

  @Test
  void anUnknownPolicyNamesTheValidOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReadPolicy.parse("strong"));
    assertTrue(e.getMessage().contains("none") && e.getMessage().contains("safe") && e.getMessage().contains("unsafe"));
    assertEquals(ReadPolicy.NONE, ReadPolicy.parse(" None "));
  }

  @Test
  void aHeartbeatNotBelowTheElectionTimeoutIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReplicaSettings.fromConfig(ConfigFactory.parseString("heartbeat-interval = 2s")
            .withFallback(ConfigFactory.load().getConfig("chronik.raft"))));
    assertTrue(e.getMessage().contains("heartbeat-interval"), e.getMessage());
  }
}
