package io.chronik.raft.server;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.grpc.GrpcClientSettings;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.api.grpc.ChronikClient;

/**
 * akka-grpc clients for the long-running commands (cluster's demo, bench): a small local
 * ActorSystem and plaintext connections to nodes. The one-call client commands use
 * {@link NodeConnection} instead, which starts no ActorSystem.
 */
final class GrpcClients {
  private GrpcClients() {}

  static ActorSystem<Void> system(String name) {
    return ActorSystem.create(Behaviors.empty(), name,
        ConfigFactory.parseString("akka.loglevel = WARNING\nakka.actor.provider = local").withFallback(ConfigFactory.load()));
  }

  static ChronikClient connect(ActorSystem<?> system, String host, int port) {
    return ChronikClient.create(GrpcClientSettings.connectToServiceAt(host, port, system).withTls(false), system);
  }
}
