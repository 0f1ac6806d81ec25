package io.chronik.raft.server;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import io.chronik.raft.api.GrpcServer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One chronik node: joins the Akka Cluster, hosts its replicas, serves gRPC. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Run one chronik node: Akka Cluster member, its replicas, and the gRPC API. Stops cleanly on Ctrl-C "
        + "or SIGTERM (hands its leaderships over, leaves the cluster, exit status 0); started again with the same "
        + "data directory, it resumes. Any other end (for example the node was downed by the cluster) exits with "
        + "status 3: run it under a supervisor that restarts it.")
final class ServerCommand implements Callable<Integer> {
  @Option(names = "--config", defaultValue = "application.conf", description = "Configuration file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--node-id", defaultValue = "${env:CHRONIK_NODE_ID:-node-1}", description = "This node's stable id.")
  String nodeId;

  @Option(names = "--data-dir", defaultValue = "${env:CHRONIK_DATA_DIR:-}",
      description = "Durable state; must survive restarts (default: data/<node-id>).")
  String dataDir;

  @Option(names = "--host", defaultValue = "${env:CHRONIK_HOST:-127.0.0.1}", description = "Address to bind and advertise.")
  String host;

  @Option(names = "--cluster-port", defaultValue = "${env:CHRONIK_CLUSTER_PORT:-2551}", description = "Akka Cluster (Artery) port.")
  int clusterPort;

  @Option(names = "--grpc-port", defaultValue = "${env:CHRONIK_GRPC_PORT:-9091}", description = "gRPC API port.")
  int grpcPort;

  @Option(names = "--metrics-port", defaultValue = "${env:CHRONIK_METRICS_PORT:-9464}",
      description = "Prometheus metrics at http://<host>:<port>/metrics; 0 turns it off.")
  int metricsPort;

  @Option(names = "--seeds", defaultValue = "${env:CHRONIK_SEEDS:-127.0.0.1:2551}", split = ",",
      description = "Seed members, host:port, comma-separated (the same list on every node).")
  List<String> seeds;

  @Option(names = "--nodes", defaultValue = "${env:CHRONIK_NODES:-node-1}", split = ",",
      description = "Every node id of the cluster, comma-separated (the same list on every node).")
  List<String> nodes;

  @Override
  public Integer call() throws Exception {
    Config config = ChronikConfig.load(this.config, overrides(nodeId, dataDir, host, clusterPort, grpcPort, seeds, nodes));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "chronik", config);
    try {
      ServerBinding binding = GrpcServer.bind(system, host, grpcPort).toCompletableFuture().get(30, TimeUnit.SECONDS);
      // On a stop: after the leaderships are handed over (before-service-unbind), stop taking
      // connections and let the requests in flight finish (at most 5 s).
      binding.addToCoordinatedShutdown(java.time.Duration.ofSeconds(5), system);
      if (metricsPort > 0) {
        io.chronik.raft.api.MetricsEndpoint.bind(system, host, metricsPort).toCompletableFuture().get(30, TimeUnit.SECONDS)
            .addToCoordinatedShutdown(java.time.Duration.ofSeconds(1), system);
      }
      System.out.printf("%s up: gRPC %s, cluster %s:%d, data %s, partitions %s%n", nodeId, binding.localAddress(), host,
          clusterPort, config.getString("chronik.data-dir"),
          io.chronik.raft.api.ChronikRaft.get(system).node().partitions().keySet());
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
    system.getWhenTerminated().toCompletableFuture().get();
    return exitStatus(nodeId, akka.actor.CoordinatedShutdown.get(system.classicSystem()).getShutdownReason());
  }

  /**
   * 0 only for a stop on purpose (SIGTERM/Ctrl-C, or the system terminated by its owner); any
   * other end — downed or removed by the cluster, a fatal error — is non-zero, so that a supervisor
   * (systemd, Kubernetes, the compose file's restart policy, {@code chronik cluster}) starts the
   * node again: it rejoins on its data.
   */
  static int exitStatus(String nodeId, java.util.Optional<akka.actor.CoordinatedShutdown.Reason> reason) {
    if (reason.isPresent() && (reason.get() == akka.actor.CoordinatedShutdown.jvmExitReason()
        || reason.get() == akka.actor.CoordinatedShutdown.actorSystemTerminateReason())) {
      return 0;
    }
    System.err.printf("%s stopped without being asked to (%s); exiting with status %d so that a supervisor starts it "
        + "again on its data%n", nodeId, reason.map(Object::toString).orElse("the actor system terminated"),
        LocalCluster.EXIT_NOT_ASKED_TO_STOP);
    return LocalCluster.EXIT_NOT_ASKED_TO_STOP;
  }

  static Map<String, Object> overrides(String nodeId, String dataDir, String host, int clusterPort, int grpcPort,
      List<String> seeds, List<String> nodes) {
    Map<String, Object> o = new HashMap<>();
    o.put("chronik.node-id", nodeId);
    o.put("chronik.data-dir", dataDir == null || dataDir.isBlank() ? "data/" + nodeId : dataDir);
    o.put("chronik.grpc.host", host);
    o.put("chronik.grpc.port", grpcPort);
    o.put("chronik.cluster.nodes", nodes);
    o.put("akka.actor.provider", "cluster");
    o.put("akka.remote.artery.canonical.hostname", host);
    o.put("akka.remote.artery.canonical.port", clusterPort);
    o.put("akka.cluster.seed-nodes", seeds.stream().map(s -> "akka://chronik@" + s.trim()).toList());
    return o;
  }

  static List<String> split(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
