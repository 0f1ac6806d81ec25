package io.chronik.raft.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A command-line client's TLS: the trust store with the cluster's CA, and for mutual TLS its own
 * key store (both PKCS12, as {@code bin/chronik-dev-certs} makes them).
 */
record ClientTls(Path trustStore, Optional<Path> keyStore, String password) {
  /** The trust manager of the cluster's CA. */
  javax.net.ssl.TrustManager trustManager() {
    try {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load(trustStore));
      return trust.getTrustManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot read the trust store " + trustStore + ": " + e.getMessage(), e);
    }
  }

  /** A channel to {@code target} over TLS. */
  io.grpc.ManagedChannel channel(String target) {
    try {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load(trustStore));
      io.grpc.TlsChannelCredentials.Builder tls = io.grpc.TlsChannelCredentials.newBuilder()
          .trustManager(trust.getTrustManagers());
      if (keyStore.isPresent()) {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(keyStore.get()), password.toCharArray());
        tls.keyManager(keys.getKeyManagers());
      }
      return io.grpc.Grpc.newChannelBuilder(target, tls.build()).build();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use the TLS files (trust store " + trustStore + ", key store "
          + keyStore.map(Path::toString).orElse("none") + "): " + e.getMessage(), e);
    }
  }

  private KeyStore load(Path file) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password.toCharArray());
    }
    return store;
  }
}
