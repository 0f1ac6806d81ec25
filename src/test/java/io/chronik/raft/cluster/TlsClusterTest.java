package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.cluster.MemberStatus;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.GrpcServer;
import io.chronik.raft.api.TlsSettings;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
import io.chronik.raft.api.grpc.PingRequest;
import io.chronik.raft.api.grpc.PingResponse;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.ProduceResponse;
import io.chronik.raft.testing.FreePorts;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.protobuf.ProtoUtils;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * TLS everywhere: three nodes whose Artery connections are TLS with mutual authentication, a gRPC
 * API that requires client certificates, and a client with one. A process whose certificate comes
 * from another CA cannot join, and a client without a certificate is refused.
 */
@Tag("cluster")
@Tag("processes")
class TlsClusterTest {
  private static final String PASSWORD = "changeit";
  private static Path certs;
  private static Path strangerCerts;
  private static TestCluster cluster;
  private static int grpcPort;
  private static int kafkaPort;

  @BeforeAll
  static void start() throws Exception {
    certs = Files.createTempDirectory(Path.of("target"), "tls-");
    strangerCerts = Files.createTempDirectory(Path.of("target"), "tls-stranger-");
    devCerts(certs, "node", "client");
    devCerts(strangerCerts, "stranger");
    cluster = new TestCluster(List.of("n1", "n2", "n3"),
        "[{name = orders, partitions = 1, replication-factor = 3, state-machine = record-log}]", tlsConfig(certs, "node"));
    grpcPort = FreePorts.one();
    GrpcServer.bind(cluster.kit(0).system(), "127.0.0.1", grpcPort).toCompletableFuture().get(30, TimeUnit.SECONDS);
    kafkaPort = io.chronik.raft.kafka.KafkaListener.bind(cluster.kit(0).system(), "127.0.0.1", 0).toCompletableFuture()
        .get(30, TimeUnit.SECONDS).localAddress().getPort();
    cluster.awaitLeader(0, "orders-0");
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) cluster.close();
  }

  private static void devCerts(Path dir, String... names) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("sh", Path.of("bin/chronik-dev-certs").toString(), dir.toString()));
    cmd.addAll(List.of(names));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/chronik-dev-certs did not finish");
    assertEquals(0, p.exitValue(), out);
  }

  /** chronik.tls for the gRPC API, and Akka's Artery TLS settings derived from it as a server does. */
  private static String tlsConfig(Path dir, String name) {
    String chronik = String.join("\n", "chronik.tls.enabled = on",
        "chronik.tls.key-store = \"" + dir.resolve(name + ".p12") + "\"",
        "chronik.tls.key-store-password = " + PASSWORD,
        "chronik.tls.trust-store = \"" + dir.resolve("trust.p12") + "\"",
        "chronik.tls.trust-store-password = " + PASSWORD,
        "chronik.tls.client-auth = need");
    TlsSettings tls = TlsSettings.fromConfig(com.typesafe.config.ConfigFactory.parseString(chronik)
        .withFallback(com.typesafe.config.ConfigFactory.defaultReference()));
    String akka = tls.akkaSettings().entrySet().stream().map(e -> e.getKey() + " = " + (e.getValue() instanceof List<?> l
        ? l.stream().map(x -> "\"" + x + "\"").collect(Collectors.joining(",", "[", "]")) : "\"" + e.getValue() + "\""))
        .collect(Collectors.joining("\n"));
    return chronik + "\n" + akka;
  }

  private static ManagedChannel channel(boolean withCertificate) throws Exception {
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load(certs.resolve("trust.p12")));
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(trust.getTrustManagers());
    if (withCertificate) {
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(certs.resolve("client.p12")), PASSWORD.toCharArray());
      tls.keyManager(keys.getKeyManagers());
    }
    ChannelCredentials credentials = tls.build();
    return Grpc.newChannelBuilder("127.0.0.1:" + grpcPort, credentials).overrideAuthority("localhost").build();
  }

  private static KeyStore load(Path file) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }

  private static <Q extends com.google.protobuf.Message, R extends com.google.protobuf.Message> R call(
      ManagedChannel channel, String method, Q request, R responseType) {
    @SuppressWarnings("unchecked")
    MethodDescriptor<Q, R> m = MethodDescriptor.<Q, R>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("chronik.api.Chronik", method))
        .setRequestMarshaller(ProtoUtils.marshaller((Q) request.getDefaultInstanceForType()))
        .setResponseMarshaller(ProtoUtils.marshaller(responseType)).build();
    return GrpcCalls.blocking(channel, m, request, 20_000);
  }

  @Test
  void aClientWithACertificateWritesAndReadsOverTlsAndTheNodeKnowsWhoItIs() throws Exception {
    ManagedChannel channel = channel(true);
    try {
      PingResponse ping = call(channel, "Ping", PingRequest.getDefaultInstance(), PingResponse.getDefaultInstance());
      assertEquals("CN=client", ping.getClientIdentity(), "the service sees the identity TLS verified");
      ProduceResponse p = call(channel, "Produce", ProduceRequest.newBuilder().setTopic("orders")
          .addRecords(ByteString.copyFromUtf8("secret")).build(), ProduceResponse.getDefaultInstance());
      FetchResponse f = call(channel, "Fetch", FetchRequest.newBuilder().setTopic("orders").setOffset(p.getBaseOffset())
          .setMaxRecords(10).setMaxBytes(1 << 20).setReadPolicy(io.chronik.raft.api.grpc.ReadPolicy.READ_POLICY_SAFE)
          .build(), FetchResponse.getDefaultInstance());
      assertEquals(List.of(ByteString.copyFromUtf8("secret")), f.getRecordsList());
    } finally {
      channel.shutdownNow();
    }
  }

  /** The Kafka listener takes chronik.tls too: a Kafka client with SSL and its certificate produces and fetches. */
  @Test
  void aKafkaClientProducesAndFetchesOverTls() throws Exception {
    java.util.Properties ssl = new java.util.Properties();
    ssl.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
    ssl.put("security.protocol", "SSL");
    ssl.put("ssl.truststore.type", "PKCS12");
    ssl.put("ssl.truststore.location", certs.resolve("trust.p12").toString());
    ssl.put("ssl.truststore.password", PASSWORD);
    ssl.put("ssl.keystore.type", "PKCS12");
    ssl.put("ssl.keystore.location", certs.resolve("client.p12").toString());
    ssl.put("ssl.keystore.password", PASSWORD);
    ssl.put("ssl.endpoint.identification.algorithm", ""); // the dev certificates name localhost, not 127.0.0.1
    java.util.Properties producerProps = new java.util.Properties();
    producerProps.putAll(ssl);
    producerProps.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
    producerProps.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
    long offset;
    try (org.apache.kafka.clients.producer.KafkaProducer<String, String> producer =
        new org.apache.kafka.clients.producer.KafkaProducer<>(producerProps)) {
      // A new topic: the first Metadata request creates it (chronik.kafka.auto-create-partitions).
      offset = producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("secure", 0, "k", "over tls"))
          .get(60, TimeUnit.SECONDS).offset();
    }
    java.util.Properties consumerProps = new java.util.Properties();
    consumerProps.putAll(ssl);
    consumerProps.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
    consumerProps.put("value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
    try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(consumerProps)) {
      org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition("secure", 0);
      consumer.assign(List.of(tp));
      consumer.seek(tp, offset);
      String got = null;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (got == null && System.nanoTime() < until) {
        for (var r : consumer.poll(Duration.ofMillis(200))) got = r.value();
      }
      assertEquals("over tls", got);
    }
  }

  @Test
  void aClientWithoutACertificateIsRefused() throws Exception {
    ManagedChannel channel = channel(false);
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> call(channel, "Ping", PingRequest.getDefaultInstance(), PingResponse.getDefaultInstance()));
      assertEquals(io.grpc.Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void aProcessWithACertificateOfAnotherCaCannotJoin() throws Exception {
    int port = FreePorts.one();
    com.typesafe.config.Config config = com.typesafe.config.ConfigFactory.parseString(String.join("\n",
            tlsConfig(strangerCerts, "stranger"),
            "akka.actor.provider = cluster",
            "akka.remote.artery.canonical.hostname = \"127.0.0.1\"",
            "akka.remote.artery.canonical.port = " + port,
            "akka.cluster.seed-nodes = [\"akka://chronik@127.0.0.1:" + cluster.config(0).getInt("akka.remote.artery.canonical.port") + "\"]",
            "akka.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "akka.loglevel = OFF"))
        .withFallback(com.typesafe.config.ConfigFactory.load()).resolve();
    ActorTestKit stranger = ActorTestKit.create("chronik", config);
    try {
      // Given the time a join takes among the three (well under 10 s), it stays out.
      stranger.createTestProbe().expectNoMessage(Duration.ofSeconds(10));
      assertNotEquals(MemberStatus.up(), akka.cluster.Cluster.get(stranger.system().classicSystem()).selfMember().status());
      long members = akka.cluster.Cluster.get(cluster.kit(0).system().classicSystem()).state().members().size();
      assertEquals(3, members, "the cluster still has its three members");
    } finally {
      stranger.shutdownTestKit();
    }
  }

  @Test
  void replicaMessagesTravelOnMutualTlsStreams() {
    TestProbe<Object> probe = cluster.kit(0).createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
      long artery = 0;
      long streamed = 0;
      for (int i = 0; i < 3; i++) {
        artery += cluster.chronik(i).node().transportStats().overArtery.sum();
        streamed += cluster.chronik(i).node().transportStats().streamed.sum();
      }
      for (int i = 0; i < 3; i++) {
        cluster.chronik(i).produce("orders", 0, List.of(com.google.protobuf.ByteString.copyFromUtf8("tls-stream-" + i)))
            .toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
      long arteryAfter = 0;
      long streamedAfter = 0;
      for (int i = 0; i < 3; i++) {
        arteryAfter += cluster.chronik(i).node().transportStats().overArtery.sum();
        streamedAfter += cluster.chronik(i).node().transportStats().streamed.sum();
      }
      assertEquals(artery, arteryAfter, "once the TLS streams are up, no replica message goes over Artery");
      assertTrue(streamedAfter > streamed, "the writes' replica messages went on the streams");
      return null;
    });
  }

  @Test
  void aPeerEndpointRefusesAClientWithoutACertificateOfTheClustersCa() throws Exception {
    String address = cluster.chronik(0).node().peerAddress("n1").orElseThrow();
    // The control: with a node's certificate the stream is taken (its junk dropped, the stream ended OK).
    for (Path key : java.util.Arrays.asList(certs.resolve("node.p12"), null, strangerCerts.resolve("stranger.p12"))) {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load(certs.resolve("trust.p12")));
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(trust.getTrustManagers());
      if (key != null) {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(key), PASSWORD.toCharArray());
        tls.keyManager(keys.getKeyManagers());
      }
      ManagedChannel channel = Grpc.newChannelBuilder(address, tls.build()).overrideAuthority("localhost").build();
      try {
        io.grpc.Status status = PeerCalls.deliver(channel, List.of(new byte[] {1, 2, 3}));
        boolean member = key != null && key.endsWith("node.p12");
        assertEquals(member ? io.grpc.Status.Code.OK : io.grpc.Status.Code.UNAVAILABLE, status.getCode(),
            (member ? "a node's certificate" : key == null ? "no certificate" : "a certificate of another CA") + ": "
            + status);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void aNodeKnowsWhetherItsCertificateNamesTheHostItsPeersConnectTo() {
    TlsSettings tls = TlsSettings.fromConfig(com.typesafe.config.ConfigFactory.parseString(tlsConfig(certs, "node"))
        .withFallback(com.typesafe.config.ConfigFactory.defaultReference()));
    assertTrue(tls.certificateNames("127.0.0.1"), "bin/chronik-dev-certs names 127.0.0.1");
    assertTrue(tls.certificateNames("localhost"), "and localhost");
    assertFalse(tls.certificateNames("10.1.2.3"), "not another address");
    assertFalse(tls.certificateNames("node-1.example"), "nor another name");
  }
}
