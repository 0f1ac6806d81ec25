package io.chronik.raft.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import akka.util.ByteString;
import io.grpc.Metadata;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallMetadataTest {
  private static Metadata headers() {
    Metadata h = new Metadata();
    h.put(Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER), "250m");
    h.put(Metadata.Key.of(ClientIdentity.HEADER, Metadata.ASCII_STRING_MARSHALLER), "CN=admin (sent by the client)");
    h.put(Metadata.Key.of("trace-bin", Metadata.BINARY_BYTE_MARSHALLER), new byte[] {1, 2});
    return h;
  }

  @Test
  void theServiceSeesTheHeadersTheClientSentAndTheDeadlineTheyCarry() {
    CallMetadata m = new CallMetadata(headers(), Optional.empty());
    assertEquals(Optional.of("250m"), m.getText("grpc-timeout"));
    assertEquals(Optional.of("250m"), m.getText("GRPC-Timeout"), "header names are case-insensitive");
    assertEquals(Optional.of(ByteString.fromArray(new byte[] {1, 2})), m.getBinary("trace-bin"));
    assertEquals(Optional.empty(), m.getText("trace-bin"), "a binary header is not text");
    long before = System.nanoTime();
    long deadline = Deadlines.of(m);
    assertEquals(250, (deadline - before) / 1_000_000, 50, "the deadline comes from grpc-timeout");
  }

  @Test
  void aClientCannotClaimAnIdentityThatTlsDidNotVerify() {
    CallMetadata plaintext = new CallMetadata(headers(), Optional.empty());
    assertEquals(Optional.empty(), ClientIdentity.of(plaintext));
    assertFalse(plaintext.asList().stream().anyMatch(e -> e.first().equals(ClientIdentity.HEADER)),
        "nor through the full list: " + plaintext.asList());

    CallMetadata verified = new CallMetadata(headers(), Optional.of("CN=orders-service"));
    assertEquals(Optional.of("CN=orders-service"), ClientIdentity.of(verified));
    assertEquals(1, verified.asMap().get(ClientIdentity.HEADER).size(), "only the verified one: " + verified.asMap());
  }
}
