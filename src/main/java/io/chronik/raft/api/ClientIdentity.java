package io.chronik.raft.api;

import akka.grpc.javadsl.Metadata;
import io.grpc.Grpc;
import io.grpc.ServerCall;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The client a TLS connection authenticated (its certificate's subject), handed to the service
 * as the metadata entry {@value #HEADER} ({@link CallMetadata}). A header of that name that the
 * client sent itself is never seen by the service: only what TLS verified.
 */
final class ClientIdentity {
  static final String HEADER = "chronik-client-identity";

  private ClientIdentity() {}

  /** The subject of the certificate TLS verified for this call's connection, if any. */
  static Optional<String> verified(ServerCall<?, ?> call) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) return Optional.empty();
    try {
      return Optional.of(session.getPeerPrincipal().getName());
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty(); // a TLS client without a certificate (client-auth = want or none)
    }
  }

  /** The verified identity of the caller, if TLS verified one. */
  static Optional<String> of(Metadata metadata) {
    return metadata.getText(HEADER);
  }
}
