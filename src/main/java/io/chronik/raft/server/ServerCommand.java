package io.chronik.raft.server;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import io.chronik.raft.api.GrpcServer;
import java.nio.file.Path;
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
        + "status 3: run it under a supervisor that restarts it.",
    footer = "Each flag sets the configuration key in parentheses. A key no flag sets comes from --config, else "
        + "from its environment variable CHRONIK_<KEY> (chronik.grpc.port: CHRONIK_GRPC_PORT), else from its "
        + "default in reference.conf; see the README, \"Configuration\".")
public final class ServerCommand implements Callable<Integer> {
  /** The status a node exits with when it stopped for any reason but a request to stop. */
  public static final int EXIT_NOT_ASKED_TO_STOP = 3;

  @Option(names = "--config", defaultValue = "application.conf", description = "Configuration file (default: ${DEFAULT-VALUE}).")
  Path config;

  // Each flag overrides one configuration key; a flag not given leaves the key to application.conf,
  // the environment (CHRONIK_<KEY>) and reference.conf, so the defaults live in one place.
  @Option(names = "--node-id", description = "This node's stable id (chronik.node-id).")
  String nodeId;

  @Option(names = "--data-dir", description = "Durable state; must survive restarts (chronik.data-dir).")
  String dataDir;

  @Option(names = "--host", description = "Address to bind and advertise (chronik.host).")
  String host;

  @Option(names = "--cluster-port", description = "Akka Cluster (Artery) port (chronik.cluster.port).")
  Integer clusterPort;

  @Option(names = "--grpc-port", description = "gRPC API port (chronik.grpc.port).")
  Integer grpcPort;

  @Option(names = "--metrics-port",
      description = "Prometheus metrics at http://<host>:<port>/metrics; 0 turns it off (chronik.metrics.port).")
  Integer metricsPort;

  @Option(names = "--kafka-port",
      description = "Kafka protocol listener port; 0 turns it off (chronik.kafka.port).")
  Integer kafkaPort;

  @Option(names = "--rack", description = "This node's rack, for Kafka follower fetch (chronik.rack).")
  String rack;

  @Option(names = "--seeds", split = ",",
      description = "Seed members, host:port, comma-separated; the same list on every node (chronik.cluster.seeds).")
  List<String> seeds;

  @Option(names = "--nodes", split = ",",
      description = "Every node id of the cluster, comma-separated; the same list on every node (chronik.cluster.nodes).")
  List<String> nodes;

  @Override
  public Integer call() throws Exception {
    Config config = config(System.getenv());
    String id = config.getString("chronik.node-id");
    String address = config.getString("chronik.host");
    int metrics = config.getInt("chronik.metrics.port");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "chronik", config);
    exitZeroWhenStoppedBySignal(system);
    warnAboutSlowTcpRecovery();
    try {
      io.chronik.raft.api.GrpcBinding binding = GrpcServer.bind(system, address, config.getInt("chronik.grpc.port")).toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      if (metrics > 0) {
        io.chronik.raft.api.MetricsEndpoint.bind(system, address, metrics).toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      int kafka = config.getInt("chronik.kafka.port");
      String kafkaNote = "";
      if (kafka > 0) {
        akka.stream.javadsl.Tcp.ServerBinding kafkaBinding = io.chronik.raft.kafka.KafkaListener.bind(system, address,
            kafka).toCompletableFuture().get(30, TimeUnit.SECONDS);
        akka.actor.CoordinatedShutdown.get(system.classicSystem()).addTask(
            akka.actor.CoordinatedShutdown.PhaseServiceUnbind(), "kafka-unbind", () -> kafkaBinding.unbind().thenApply(u -> akka.Done.getInstance()));
        kafkaNote = ", Kafka " + kafkaBinding.localAddress();
      }
      double startup = (System.currentTimeMillis()
          - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()) / 1000.0;
      System.out.printf("%s up in %.1f s since the JVM started: gRPC %s%s, cluster %s:%d, data %s, partitions %s%n", id,
          startup, binding.localAddress(), kafkaNote, address, config.getInt("chronik.cluster.port"),
          config.getString("chronik.data-dir"), io.chronik.raft.api.ChronikRaft.get(system).node().partitions().keySet());
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
    system.getWhenTerminated().toCompletableFuture().get();
    return exitStatus(id, akka.actor.CoordinatedShutdown.get(system.classicSystem()).getShutdownReason());
  }

  /** This node's configuration: the flags given, over {@code --config}, over {@code environment}, over reference.conf. */
  Config config(Map<String, String> environment) {
    return ServerConfig.load(config, overrides(), environment);
  }

  /** The configuration keys of the flags given, and only those. */
  Map<String, Object> overrides() {
    Map<String, Object> o = new HashMap<>();
    if (nodeId != null) o.put("chronik.node-id", nodeId);
    if (dataDir != null) o.put("chronik.data-dir", dataDir);
    if (host != null) o.put("chronik.host", host);
    if (clusterPort != null) o.put("chronik.cluster.port", clusterPort);
    if (grpcPort != null) o.put("chronik.grpc.port", grpcPort);
    if (metricsPort != null) o.put("chronik.metrics.port", metricsPort);
    if (kafkaPort != null) o.put("chronik.kafka.port", kafkaPort);
    if (rack != null) o.put("chronik.rack", rack);
    if (seeds != null) o.put("chronik.cluster.seeds", seeds.stream().map(String::trim).toList());
    if (nodes != null) o.put("chronik.cluster.nodes", nodes.stream().map(String::trim).toList());
    return o;
  }

  /**
   * SIGTERM and Ctrl-C run Akka's Coordinated Shutdown from a JVM shutdown hook (leaderships
   * handed over, requests in flight finished, the cluster left); the JVM would then exit with
   * 128 + the signal's number. Once the system has stopped, end with status 0 instead: a stop
   * on purpose, which supervisors must not answer with a restart.
   */
  private static void exitZeroWhenStoppedBySignal(ActorSystem<Void> system) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        system.getWhenTerminated().toCompletableFuture().get(2, TimeUnit.MINUTES);
      } catch (Exception e) {
        return; // did not stop in time: let the JVM report the signal
      }
      if (akka.actor.CoordinatedShutdown.get(system.classicSystem()).getShutdownReason()
          .filter(r -> r == akka.actor.CoordinatedShutdown.jvmExitReason()).isPresent()) {
        System.out.flush();
        Runtime.getRuntime().halt(0);
      }
    }, "chronik-exit-status"));
  }

  /**
   * Artery keeps one TCP connection per peer. After a network partition, a connection whose data
   * went unacknowledged recovers only at TCP's next retransmission, which backs off exponentially:
   * with Linux's default net.ipv4.tcp_retries2 = 15, a node cut off for 30 s took 24 s after the
   * heal to hear from its peers again; with 5 (the connection is given up after about 6 s of
   * silence, and Akka reconnects) it took 1.7 s (NetworkPartitionTest).
   */
  static void warnAboutSlowTcpRecovery() {
    Path retries = Path.of("/proc/sys/net/ipv4/tcp_retries2");
    try {
      int value = Integer.parseInt(java.nio.file.Files.readString(retries).trim());
      if (value > 8) {
        System.err.printf("note: net.ipv4.tcp_retries2 = %d on this host: after a network partition this node may "
            + "need tens of seconds to reach its peers again (TCP's retransmission backoff). Set it to 5 "
            + "(sysctl -w net.ipv4.tcp_retries2=5) on chronik hosts; see the README, \"What a node failure costs\".%n",
            value);
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // not Linux, or not readable: nothing to advise
    }
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
        EXIT_NOT_ASKED_TO_STOP);
    return EXIT_NOT_ASKED_TO_STOP;
  }
}
