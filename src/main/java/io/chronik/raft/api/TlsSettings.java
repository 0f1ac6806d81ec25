package io.chronik.raft.api;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code chronik.tls}: one key store (this node's key and certificate chain) and one trust store
 * (the CA that every node's and client's certificate must chain to), for the gRPC API and, on a
 * server, for Artery between the nodes ({@link #akkaSettings}: TLS with mutual authentication, so a
 * process without a certificate of the cluster's CA can neither join nor send replica messages).
 */
public record TlsSettings(boolean enabled, Path keyStore, String keyStorePassword, Path trustStore,
    String trustStorePassword, ClientAuth clientAuth) {
  /** Whether the gRPC API asks clients for a certificate of the CA. */
  public enum ClientAuth { NONE, WANT, NEED }

  public static TlsSettings fromConfig(Config config) {
    Config t = config.getConfig("chronik.tls");
    String auth = t.getString("client-auth").toUpperCase();
    ClientAuth clientAuth;
    try {
      clientAuth = ClientAuth.valueOf(auth);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("chronik.tls.client-auth must be none, want or need, got '"
          + t.getString("client-auth") + "'");
    }
    TlsSettings s = new TlsSettings(t.getBoolean("enabled"), Path.of(t.getString("key-store")),
        t.getString("key-store-password"), Path.of(t.getString("trust-store")), t.getString("trust-store-password"),
        clientAuth);
    if (s.enabled()) s.check();
    return s;
  }

  private void check() {
    if (keyStore.toString().isEmpty() || !Files.isReadable(keyStore)) {
      throw new IllegalArgumentException("chronik.tls.enabled = on needs chronik.tls.key-store, a readable PKCS12 file "
          + "with this node's key and certificate; got '" + keyStore + "' (bin/chronik-dev-certs makes development ones)");
    }
    if (trustStore.toString().isEmpty() || !Files.isReadable(trustStore)) {
      throw new IllegalArgumentException("chronik.tls.enabled = on needs chronik.tls.trust-store, a readable PKCS12 "
          + "file with the CA certificate; got '" + trustStore + "'");
    }
  }

  /** The TLS context of this node: its key for the server side, the CA for verifying peers. */
  public SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers().getKeyManagers(), trustManagers().getTrustManagers(), new java.security.SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw cannotSetUp(e);
    }
  }

  /**
   * The gRPC server's TLS (grpc-java on Netty, the JDK's TLS with ALPN for HTTP/2), asking for a
   * client certificate as configured. With a client certificate asked for, TLS 1.2: under TLS 1.3
   * the server checks the client's certificate after the client considers the handshake done, so
   * a client without one would send its request before it learns it was refused.
   */
  public SslContext grpcServerContext() {
    try {
      SslContextBuilder builder = GrpcSslContexts.configure(SslContextBuilder.forServer(keyManagers()), SslProvider.JDK)
          .trustManager(trustManagers())
          .clientAuth(switch (clientAuth) {
            case NONE -> io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth.NONE;
            case WANT -> io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth.OPTIONAL;
            case NEED -> io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth.REQUIRE;
          });
      if (clientAuth != ClientAuth.NONE) builder.protocols("TLSv1.2");
      return builder.build();
    } catch (SSLException e) {
      throw cannotSetUp(e);
    }
  }

  /**
   * The replicas' gRPC streams between nodes: mutual TLS 1.3 both ways, a certificate of the CA
   * required of each end (as Artery's TLS between the same nodes), whatever client-auth says for
   * the API.
   */
  public io.chronik.raft.cluster.PeerTls peerTls() {
    try {
      SslContext server = GrpcSslContexts.configure(SslContextBuilder.forServer(keyManagers()), SslProvider.JDK)
          .trustManager(trustManagers())
          .clientAuth(io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth.REQUIRE)
          .protocols("TLSv1.3")
          .build();
      SslContext client = GrpcSslContexts.configure(SslContextBuilder.forClient().keyManager(keyManagers()),
              SslProvider.JDK)
          .trustManager(trustManagers())
          .protocols("TLSv1.3")
          .build();
      return new io.chronik.raft.cluster.PeerTls(server, client);
    } catch (SSLException e) {
      throw cannotSetUp(e);
    }
  }

  /**
   * Whether this node's certificate (the key store's first key entry) names {@code host} among its
   * subject alternative names (an IP address entry for an address, a DNS entry, or a wildcard
   * one, for a name): its peers check that when they open their replica-message streams to it.
   */
  public boolean certificateNames(String host) {
    try {
      KeyStore store = load(keyStore, keyStorePassword);
      for (String alias : java.util.Collections.list(store.aliases())) {
        if (!store.isKeyEntry(alias)) continue;
        java.security.cert.Certificate cert = store.getCertificate(alias);
        if (!(cert instanceof java.security.cert.X509Certificate x509)) return false;
        java.util.Collection<java.util.List<?>> names = x509.getSubjectAlternativeNames();
        if (names == null) return false;
        boolean address = host.matches("[0-9.]+") || host.contains(":");
        for (java.util.List<?> name : names) {
          int type = (Integer) name.get(0);
          String value = String.valueOf(name.get(1));
          if (address && type == 7 && java.net.InetAddress.getByName(value).equals(java.net.InetAddress.getByName(host))) {
            return true;
          }
          if (!address && type == 2 && (value.equalsIgnoreCase(host) || value.startsWith("*.")
              && host.indexOf('.') > 0 && host.substring(host.indexOf('.')).equalsIgnoreCase(value.substring(1)))) {
            return true;
          }
        }
        return false;
      }
      return false;
    } catch (GeneralSecurityException | IOException e) {
      throw cannotSetUp(e);
    }
  }

  private KeyManagerFactory keyManagers() {
    try {
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(keyStore, keyStorePassword), keyStorePassword.toCharArray());
      return keys;
    } catch (GeneralSecurityException | IOException e) {
      throw cannotSetUp(e);
    }
  }

  private TrustManagerFactory trustManagers() {
    try {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load(trustStore, trustStorePassword));
      return trust;
    } catch (GeneralSecurityException | IOException e) {
      throw cannotSetUp(e);
    }
  }

  private IllegalArgumentException cannotSetUp(Exception e) {
    return new IllegalArgumentException("cannot set up TLS from chronik.tls (key store " + keyStore + ", trust store "
        + trustStore + "): " + e.getMessage() + "; check the files and their passwords", e);
  }

  /** A server-side engine for one connection of the Kafka listener, asking for a client certificate as configured. */
  public SSLEngine serverEngine(SSLContext context) {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    if (clientAuth == ClientAuth.NEED) engine.setNeedClientAuth(true);
    if (clientAuth == ClientAuth.WANT) engine.setWantClientAuth(true);
    // As for gRPC (grpcServerContext): with TLS 1.3 a client without a certificate would learn of
    // its refusal only after sending its request.
    if (clientAuth != ClientAuth.NONE) engine.setEnabledProtocols(new String[] {"TLSv1.2"});
    return engine;
  }

  private static KeyStore load(Path file, String password) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password.toCharArray());
    }
    return store;
  }

  /**
   * Artery over TLS with mutual authentication, from the same stores: what a server adds to its
   * Akka settings when {@code chronik.tls.enabled} is on (an embedding application sets Akka's
   * own {@code akka.remote.artery.ssl} keys instead).
   */
  public Map<String, Object> akkaSettings() {
    Map<String, Object> akka = new HashMap<>();
    if (!enabled) return akka;
    String engine = "akka.remote.artery.ssl.config-ssl-engine.";
    akka.put("akka.remote.artery.transport", "tls-tcp");
    akka.put(engine + "key-store", keyStore.toAbsolutePath().toString());
    akka.put(engine + "key-store-password", keyStorePassword);
    akka.put(engine + "key-password", keyStorePassword);
    akka.put(engine + "trust-store", trustStore.toAbsolutePath().toString());
    akka.put(engine + "trust-store-password", trustStorePassword);
    akka.put(engine + "protocol", "TLSv1.3");
    akka.put(engine + "enabled-algorithms", java.util.List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"));
    akka.put(engine + "require-mutual-authentication", "on");
    return akka;
  }
}
