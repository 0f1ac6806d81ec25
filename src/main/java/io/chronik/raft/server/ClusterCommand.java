package io.chronik.raft.server;

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
final class ClusterCommand implements Callable<Integer> {
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

  @Option(names = "--no-demo", negatable = false, description = "Skip the demo.")
  boolean noDemo;

  @Option(names = "--exit-after-demo", description = "Stop the cluster after the demo instead of running on.")
  boolean exitAfterDemo;

  @Option(names = "--config", defaultValue = "application.conf", description = "Configuration file for every node.")
  Path config;

  private final List<Process> children = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (nodeCount < 1) throw new IllegalArgumentException("--nodes must be at least 1");
    List<String> ids = new ArrayList<>();
    List<String> seeds = new ArrayList<>();
    for (int i = 1; i <= nodeCount; i++) {
      ids.add("node-" + i);
      seeds.add("127.0.0.1:" + (clusterPort + i - 1));
    }
    Thread stopper = new Thread(this::stopAll, "chronik-cluster-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    for (int i = 0; i < nodeCount; i++) start(ids.get(i), i, ids, seeds);
    System.out.printf("started %s; waiting for leaders ...%n", ids);
    ActorSystem<Void> system = GrpcClients.system("chronik-cli");
    List<ChronikClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < nodeCount; i++) {
        clients.add(GrpcClients.connect(system, "127.0.0.1", grpcPort + i));
      }
      StatusResponse status = awaitLeaders(clients.get(0));
      if (!noDemo) demo(clients, status);
      ClientCommands.printStatus(clients.get(0).status(StatusRequest.getDefaultInstance()).toCompletableFuture()
          .get(30, TimeUnit.SECONDS));
    } finally {
      for (ChronikClient c : clients) c.close();
      system.terminate();
    }
    if (exitAfterDemo) {
      stopAll();
      Runtime.getRuntime().removeShutdownHook(stopper);
      return 0;
    }
    System.out.printf("cluster running: gRPC on 127.0.0.1:%d-%d. Try another terminal:%n", grpcPort, grpcPort + nodeCount - 1);
    System.out.printf("  ./mvnw -q exec:java -Dexec.args=\"fetch -t orders -p 0 --target 127.0.0.1:%d\"%n",
        grpcPort + nodeCount - 1);
    System.out.println("Ctrl-C stops every node cleanly.");
    for (Process p : children) p.waitFor();
    return 0;
  }

  private void start(String id, int i, List<String> ids, List<String> seeds) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xmx512m", "-XX:+UseSerialGC", "-cp", classpath(),
        Main.class.getName(), "server", "--config", config.toString(), "--node-id", id,
        "--data-dir", baseDir.resolve(id).toString(), "--cluster-port", String.valueOf(clusterPort + i),
        "--grpc-port", String.valueOf(grpcPort + i), "--metrics-port", String.valueOf(metricsPort == 0 ? 0 : metricsPort + i),
        "--seeds", String.join(",", seeds), "--nodes", String.join(",", ids)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    children.add(p);
    Thread pipe = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) System.out.println("[" + id + "] " + line);
      } catch (Exception ignored) {
        // the child ended
      }
    }, "chronik-" + id + "-output");
    pipe.setDaemon(true);
    pipe.start();
  }

  private StatusResponse awaitLeaders(ChronikClient client) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      for (Process p : children) {
        if (!p.isAlive()) throw new IllegalStateException("a node exited with code " + p.exitValue() + "; see its output above");
      }
      try {
        StatusResponse s = client.status(StatusRequest.getDefaultInstance()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        if (!s.getPartitionsList().isEmpty() && s.getPartitionsList().stream().noneMatch(p -> p.getLeader().isEmpty())) {
          return s;
        }
        last = s.getPartitionsList().stream().filter(p -> p.getLeader().isEmpty()).map(PartitionStatus::getPartition)
            .toList() + " without a leader";
      } catch (Exception e) {
        last = e.getMessage();
      }
      Thread.sleep(500); // a person waiting for the cluster to come up
    }
    throw new IllegalStateException("the cluster did not elect leaders within 90 s: " + last);
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

  private void stopAll() {
    for (Process p : children) if (p.isAlive()) p.destroy(); // SIGTERM: each node leaves the cluster cleanly
    for (Process p : children) {
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The project's runtime classpath (target/classpath.txt from the build), else this JVM's. */
  private static String classpath() throws Exception {
    Path file = Path.of("target", "classpath.txt");
    if (Files.isRegularFile(file) && Files.isDirectory(Path.of("target", "classes"))) {
      return Path.of("target", "classes").toAbsolutePath() + File.pathSeparator + Files.readString(file).trim();
    }
    return System.getProperty("java.class.path");
  }
}
