package io.chronik.raft.launcher;

import akka.actor.typed.ActorSystem;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.grpc.ChronikClient;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
import io.chronik.raft.api.grpc.GetRequest;
import io.chronik.raft.api.grpc.GetResponse;
import io.chronik.raft.api.grpc.PartitionStatus;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.ProduceResponse;
import io.chronik.raft.api.grpc.PutRequest;
import io.chronik.raft.api.grpc.ReadPolicy;
import io.chronik.raft.api.grpc.StatusRequest;
import io.chronik.raft.api.grpc.StatusResponse;
import io.chronik.raft.client.GrpcClients;
import io.chronik.raft.client.StatusTable;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A local cluster: one child JVM per node on loopback, each with its own data directory. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Start a local cluster of separate node processes on 127.0.0.1 (embedded journal under "
        + "--base-dir), run a short demo of writes and follower reads over gRPC, and keep running until Ctrl-C. "
        + "Started again with the same --base-dir, it resumes from the data.")
public final class ClusterCommand implements Callable<Integer> {
  @Option(names = "--nodes", defaultValue = "3", description = "Number of nodes (default: ${DEFAULT-VALUE}).")
  int nodeCount;

  @Option(names = "--base-dir", defaultValue = "data/cluster", description = "Data directories go here (default: ${DEFAULT-VALUE}).")
  Path baseDir;

  @Option(names = "--cluster-port", defaultValue = "2551", description = "First node's cluster port; the others follow.")
  int clusterPort;

  @Option(names = "--grpc-port", defaultValue = "9091", description = "First node's gRPC port; the others follow.")
  int grpcPort;

  @Option(names = "--metrics-port", defaultValue = "9464", description = "First node's metrics port; 0: none.")
  int metricsPort;

  @Option(names = "--kafka-port", defaultValue = "19092",
      description = "First node's Kafka listener port; the others follow; 0: none (default: ${DEFAULT-VALUE}, not "
          + "Kafka's 9092, which the second node's gRPC port takes).")
  int kafkaPort;

  @Option(names = "--no-demo", negatable = false, description = "Skip the demo.")
  boolean noDemo;

  @Option(names = "--exit-after-demo", description = "Stop the cluster after the demo instead of running on.")
  boolean exitAfterDemo;

  @Option(names = "--config", defaultValue = "application.conf", description = "Configuration file for every node.")
  Path config;

  @Override
  public Integer call() throws Exception {
    String clash = portClash(nodeCount, new String[] {"--cluster-port", "--grpc-port", "--metrics-port", "--kafka-port"},
        new int[] {clusterPort, grpcPort, metricsPort, kafkaPort});
    if (clash != null) {
      System.err.println(clash);
      return 2;
    }
    LocalCluster cluster = new LocalCluster(nodeCount, 0, baseDir, config, clusterPort, grpcPort, metricsPort, kafkaPort,
        null, List.of(), true, LocalCluster.classpath(), LocalCluster.Layout.LOOPBACK);
    Thread stopper = new Thread(cluster::close, "chronik-cluster-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    System.out.printf("started %s; waiting for leaders ...%n", cluster.ids());
    ActorSystem<Void> system = GrpcClients.system("chronik-cli");
    List<ChronikClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < nodeCount; i++) clients.add(GrpcClients.connect(system, "127.0.0.1", cluster.grpcPort(i)));
      StatusResponse status = cluster.awaitLeaders(clients.get(0), 90);
      if (!cluster.awaitMembers(clients.get(0), 30)) {
        System.out.println("not every node joined the cluster within 30 s; the status below shows each node's state");
      }
      if (!noDemo) demo(clients, status);
      System.out.println(StatusTable.of(clients.get(0).status(StatusRequest.getDefaultInstance()).toCompletableFuture()
          .get(30, TimeUnit.SECONDS)));
    } finally {
      for (ChronikClient c : clients) c.close();
      system.terminate();
    }
    if (exitAfterDemo) {
      cluster.close();
      Runtime.getRuntime().removeShutdownHook(stopper);
      return 0;
    }
    System.out.printf("cluster running: gRPC on 127.0.0.1:%d-%d. Try another terminal:%n", grpcPort, grpcPort + nodeCount - 1);
    System.out.printf("  bin/chronik fetch -t orders -p 0 --target 127.0.0.1:%d%n",
        grpcPort + nodeCount - 1);
    if (kafkaPort > 0) {
      System.out.printf("Kafka clients: bootstrap 127.0.0.1:%d-%d (topics of state-machine = kafka; a new topic is "
          + "created on first use), e.g.%n", kafkaPort, kafkaPort + nodeCount - 1);
      System.out.printf("  echo hello | kcat -P -b 127.0.0.1:%d -t clicks && kcat -C -b 127.0.0.1:%d -t clicks -e "
          + "-X client.rack=node-%d%n", kafkaPort, kafkaPort, nodeCount);
    }
    System.out.println("Ctrl-C stops every node cleanly (each hands its leaderships over first). A node that exits "
        + "with a non-zero status is started again on its data.");
    // Until Ctrl-C (the shutdown hook stops the nodes), or until every node was stopped from outside.
    while (cluster.processes().stream().anyMatch(p -> p.isAlive() || p.exitValue() != 0)) {
      Thread.sleep(500);
    }
    return 0;
  }

  private void demo(List<ChronikClient> clients, StatusResponse status) throws Exception {
    String leader = status.getPartitionsList().stream().filter(p -> p.getPartition().equals("orders-0"))
        .map(PartitionStatus::getLeader).findFirst().orElse("?");
    System.out.printf("%n== demo: orders-0 (leader %s) ==%n", leader);
    ProduceRequest.Builder produce = ProduceRequest.newBuilder().setTopic("orders").setPartition(0);
    for (int i = 1; i <= 3; i++) produce.addRecords(ByteString.copyFromUtf8("order-" + System.currentTimeMillis() % 100000 + "-" + i));
    ProduceResponse produced = clients.get(0).produce(produce.build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.out.printf("produced %d records at offset %d via node-1 (leader %s)%n", produced.getCount(),
        produced.getBaseOffset(), produced.getLeader());
    for (int i = 0; i < clients.size(); i++) {
      FetchResponse f = clients.get(i).fetch(FetchRequest.newBuilder().setTopic("orders").setPartition(0)
              .setOffset(produced.getBaseOffset()).setMaxRecords(10).setMaxBytes(1 << 20)
              .setReadPolicy(ReadPolicy.READ_POLICY_SAFE).build())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.out.printf("fetch via node-%d (safe): %d records, served by %s%s, high watermark %d%n", i + 1,
          f.getRecordsCount(), f.getServedBy(), f.getServedBy().equals(produced.getLeader()) ? " (leader)" : " (follower)",
          f.getHighWatermark());
    }
    clients.get(clients.size() - 1).put(PutRequest.newBuilder().setTopic("accounts").setPartition(0).setKey("alice")
        .setValue(ByteString.copyFromUtf8("100")).build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    GetResponse g = clients.get(0).get(GetRequest.newBuilder().setTopic("accounts").setPartition(0).setKey("alice")
        .setReadPolicy(ReadPolicy.READ_POLICY_SAFE).build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.out.printf("accounts: put alice=100 via node-%d, get via node-1 (safe): alice=%s, served by %s%n%n",
        clients.size(), g.getValue().toStringUtf8(), g.getServedBy());
  }

  /**
   * Each option gives the first of {@code nodes} consecutive ports; two ranges that overlap would
   * make a node fail to bind after its neighbours started. Null when they are disjoint; 0 is "none".
   */
  static String portClash(int nodes, String[] options, int[] firstPorts) {
    for (int a = 0; a < options.length; a++) {
      for (int b = a + 1; b < options.length; b++) {
        if (firstPorts[a] == 0 || firstPorts[b] == 0) continue;
        if (firstPorts[a] < firstPorts[b] + nodes && firstPorts[b] < firstPorts[a] + nodes) {
          return String.format("%s %d and %s %d overlap: each node takes the next port (%d-%d and %d-%d). "
              + "Choose ports at least %d apart.", options[a], firstPorts[a], options[b], firstPorts[b],
              firstPorts[a], firstPorts[a] + nodes - 1, firstPorts[b], firstPorts[b] + nodes - 1, nodes);
        }
      }
    }
    return null;
  }
}
