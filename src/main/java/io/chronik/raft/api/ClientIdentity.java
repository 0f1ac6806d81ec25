package io.chronik.raft.api;

import akka.grpc.javadsl.Metadata;
import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.headers.RawHeader;
import java.util.Optional;

/**
 * The client a TLS connection authenticated (its certificate's subject), handed to the service
 * as the request header {@value #HEADER}. A header of that name that the client sent itself is
 * removed first, so the service sees only what TLS verified.
 */
final class ClientIdentity {
  static final String HEADER = "chronik-client-identity";

  private ClientIdentity() {}

  static HttpRequest attach(HttpRequest request) {
    HttpRequest clean = request.getHeader(HEADER).isPresent() ? request.removeHeader(HEADER) : request;
    return request.getAttribute(AttributeKeys.sslSession)
        .flatMap(info -> {
          try {
            return Optional.of(info.getSession().getPeerPrincipal().getName());
          } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return Optional.empty(); // a TLS client without a certificate (client-auth = want or none)
          }
        })
        .map(name -> clean.addHeader(RawHeader.create(HEADER, name)))
        .orElse(clean);
  }

  /** The verified identity of the caller, if TLS verified one. */
  static Optional<String> of(Metadata metadata) {
    return metadata.getText(HEADER);
  }
}
