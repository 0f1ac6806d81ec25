package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code chronik.cluster.peer-transport}: when replica messages take gRPC streams, and with which TLS. */
class PeerTransportSettingTest {
  private static Config config(String settings) {
    return ConfigFactory.parseString(settings).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void grpcIsTheDefaultAndArteryTurnsTheStreamsOff() {
    assertEquals(Optional.of(Optional.empty()), ClusterNode.peerStreams(config(""), "n1", Optional.empty()));
    assertEquals(Optional.empty(), ClusterNode.peerStreams(config("chronik.cluster.peer-transport = artery"), "n1",
        Optional.empty()));
  }

  @Test
  void anUnknownTransportIsRefusedWithTheChoices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterNode.peerStreams(config("chronik.cluster.peer-transport = udp"), "n1", Optional.empty()));
    assertTrue(e.getMessage().contains("grpc or artery") && e.getMessage().contains("udp"), e.getMessage());
  }

  @Test
  void arteryTlsThatChronikDidNotSetUpKeepsReplicaMessagesOnArtery() {
    // An application's own Artery TLS: a plaintext stream would be a way in that Artery closes.
    assertEquals(Optional.empty(), ClusterNode.peerStreams(config("akka.remote.artery.transport = tls-tcp"), "n1",
        Optional.empty()));
  }
}
