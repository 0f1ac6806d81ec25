package io.chronik.raft.client;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.grpc.GrpcClientSettings;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.api.grpc.ChronikClient;

/**
 * akka-grpc clients for the long-running commands (cluster's demo, bench): a small local
 * ActorSystem and connections to nodes, plaintext unless {@code CHRONIK_TLS_TRUST_STORE} names the
 * trust store of the cluster's CA (then TLS; password {@code CHRONIK_TLS_TRUST_STORE_PASSWORD}).
 * The one-call client commands use {@link NodeConnection} instead, which starts no ActorSystem.
 */
public final class GrpcClients {
  private GrpcClients() {}

  public static ActorSystem<Void> system(String name) {
    return ActorSystem.create(Behaviors.empty(), name,
        ConfigFactory.parseString("akka.loglevel = WARNING\nakka.actor.provider = local").withFallback(ConfigFactory.load()));
  }

  /**
   * akka-grpc's settings for a client of the node at {@code host:port}. Use these rather than
   * {@link GrpcClientSettings#connectToServiceAt} directly: with the grpc-java version chronik
   * ships, akka-grpc 2.1's own resolution of the target fails ({@link FixedAddressResolver}).
   */
  public static GrpcClientSettings settings(String host, int port, akka.actor.ClassicActorSystemProvider system) {
    FixedAddressResolver resolver = new FixedAddressResolver(host, port);
    return GrpcClientSettings.connectToServiceAt(host, port, system)
        .withChannelBuilderOverrides(builder -> (io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder) builder
            .nameResolverFactory(resolver));
  }

  public static ChronikClient connect(ActorSystem<?> system, String host, int port) {
    GrpcClientSettings settings = settings(host, port, system);
    String trustStore = System.getenv().getOrDefault("CHRONIK_TLS_TRUST_STORE", "");
    if (trustStore.isEmpty()) return ChronikClient.create(settings.withTls(false), system);
    String password = System.getenv().getOrDefault("CHRONIK_TLS_TRUST_STORE_PASSWORD", "changeit");
    ClientTls tls = new ClientTls(java.nio.file.Path.of(trustStore), java.util.Optional.empty(), password);
    return ChronikClient.create(settings.withTls(true).withTrustManager(tls.trustManager()), system);
  }
}
