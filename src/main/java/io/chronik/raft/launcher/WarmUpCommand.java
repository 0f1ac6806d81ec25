package io.chronik.raft.launcher;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.api.GrpcServer;
import io.chronik.raft.server.ServerConfig;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/**
 * Starts a one-node server in a temporary directory, writes and reads once, and stops: the
 * training run of {@link StartupArchive} (it loads what a node loads at start, then exits
 * normally, so that -XX:ArchiveClassesAtExit can write the archive).
 */
@Command(name = "warm-up", hidden = true, mixinStandardHelpOptions = true,
    description = "Start and stop a throw-away one-node server (the class-data archive's training run).")
public final class WarmUpCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("chronik-warm-up");
    Map<String, Object> overrides = Map.of("chronik.node-id", "node-1", "chronik.data-dir", dir.toString(),
        "chronik.host", "127.0.0.1", "chronik.cluster.port", freePort(),
        "chronik.cluster.nodes", List.of("node-1"));
    Path conf = dir.resolve("warm-up.conf");
    Files.writeString(conf, "chronik.topics = [{ name = w, partitions = 1, replication-factor = 1, "
        + "state-machine = key-value }]\nakka.loglevel = WARNING\n");
    Config config = ServerConfig.load(conf, overrides, System.getenv());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "chronik", config);
    try {
      // Port 0: the system picks one as it binds, so nothing can take it between a check and the bind.
      GrpcServer.bind(system, "127.0.0.1", 0).toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      io.chronik.raft.api.MetricsEndpoint.bind(system, "127.0.0.1", 0).toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      ChronikRaft chronik = ChronikRaft.get(system);
      chronik.put("w", 0, "k", com.google.protobuf.ByteString.copyFromUtf8("v")).toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      chronik.get("w", 0, "k", java.util.Optional.empty(), 0).toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    return 0;
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
