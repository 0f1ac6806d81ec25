package io.chronik.raft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.grpc.GrpcClientSettings;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.grpc.ChronikClient;
import io.chronik.raft.api.grpc.CompareAndSetRequest;
import io.chronik.raft.api.grpc.CompareAndSetResponse;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
import io.chronik.raft.api.grpc.GetRequest;
import io.chronik.raft.api.grpc.GetResponse;
import io.chronik.raft.api.grpc.NodeStatus;
import io.chronik.raft.api.grpc.PartitionStatus;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.ProduceResponse;
import io.chronik.raft.api.grpc.PutRequest;
import io.chronik.raft.api.grpc.ReadPolicy;
import io.chronik.raft.api.grpc.StatusRequest;
import io.chronik.raft.api.grpc.StatusResponse;
import io.chronik.raft.check.HistoryOp;
import io.chronik.raft.check.LinearizabilityChecker;
import io.chronik.raft.check.RegisterModel;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.launcher.LocalCluster;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A Jepsen-style workload over gRPC against the node processes of a {@link LocalCluster} (three,
 * or more), and what it observed: closed-loop clients, each with a partition and its own home node
 * (client c: partition c mod 3, node c / 3 mod nodes; nine clients on three nodes are one per
 * partition on each node); a client
 * whose request failed in a way that may mean its node is down tries the next node for a few
 * seconds, then goes home again (so the clients stay spread over the nodes) — puts, compare-and-sets and reads (policies
 * safe and none) on a key-value partition {@code kv-0}, produces and safe fetches on record-log
 * partitions {@code log-0} and {@code log-1}. The fault schedule is the test's; this records each
 * fault and, at the end, checks the histories and measures availability per fault. Closing it
 * closes the clients, not the cluster (the test owns that).
 */
final class ProcessWorkload implements AutoCloseable {
  static final List<String> PARTITIONS = List.of("kv-0", "log-0", "log-1");
  static final String TOPICS = "chronik.topics = [\n"
      + "  { name = kv, partitions = 1, replication-factor = 3, state-machine = key-value }\n"
      + "  { name = log, partitions = 2, replication-factor = 3, state-machine = record-log }\n"
      + "]\n";
  private static final int KEYS = 4;
  private static final Duration OP_DEADLINE = Duration.ofSeconds(5);

  private record Success(String partition, boolean write, long at) {}

  private record Fault(String kind, String node, long at) {}

  /** What the run showed; {@link #violations} must be empty. */
  record Report(List<String> violations, double maxUnavailableSeconds, String table, long ops, long historyOps,
      long unknownOps, long retrySafeFailures, long failuresWhileMarked, List<String> failureSamples,
      List<FaultCost> costs) {}

  /** One fault (in the order they came) and the longest stretch any partition then went without a successful write or read. */
  record FaultCost(String kind, String node, double maxUnavailableSeconds) {}

  final LocalCluster cluster;
  private final ActorTestKit testKit;
  private final TestProbe<Object> probe;
  private final ChronikClient[] clients;
  /** Nodes removed from the cluster for good: no client goes there, no check reads through them. */
  private final Set<Integer> retired = ConcurrentHashMap.newKeySet();
  private final List<Thread> workers = new ArrayList<>();

  private final Map<String, List<HistoryOp<RegisterModel.Op>>> kvHistory = new ConcurrentHashMap<>();
  private final List<Success> successes = Collections.synchronizedList(new ArrayList<>());
  private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Map<Long, String>> acknowledged = new ConcurrentHashMap<>();
  private final Map<String, List<String>> unknownProduces = new ConcurrentHashMap<>();
  private final Map<String, Map<Long, String>> fetched = new ConcurrentHashMap<>();
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong ops = new AtomicLong();
  private final AtomicLong unknownOps = new AtomicLong();
  private final AtomicLong retrySafeFailures = new AtomicLong();
  private final AtomicLong markedFailures = new AtomicLong();
  private final List<String> failureSamples = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger values = new AtomicInteger();
  private volatile boolean marked;
  private volatile boolean stop;

  ProcessWorkload(LocalCluster cluster) {
    this.cluster = cluster;
    this.testKit = ActorTestKit.create("workload", com.typesafe.config.ConfigFactory.parseString(
        "akka.loglevel = WARNING\nakka.actor.provider = local"));
    this.probe = testKit.createTestProbe();
    this.clients = new ChronikClient[cluster.size()];
    for (int i = 0; i < clients.length; i++) clients[i] = connect(i);
  }

  /** The configuration file every node reads: {@code applicationConf} with this workload's topics. */
  static Path config(Path dir, Path applicationConf) throws java.io.IOException {
    return config(dir, applicationConf, "");
  }

  /** The same, with more topics ({@code { name = ..., ... }} lines) that the workload leaves alone. */
  static Path config(Path dir, Path applicationConf, String moreTopics) throws java.io.IOException {
    Path conf = dir.resolve("workload.conf");
    Files.writeString(conf, "include file(\"" + applicationConf.toAbsolutePath() + "\")\n"
        + TOPICS.replace("]\n", moreTopics + "]\n"));
    return conf;
  }

  void awaitLeaders() throws Exception {
    cluster.awaitLeaders(clients[0], 120);
  }

  void start(int clientCount, long seed) {
    Random rnd = new Random(seed);
    for (int c = 0; c < clientCount; c++) {
      int id = c;
      Random r = new Random(rnd.nextLong());
      Thread t = new Thread(() -> clientLoop(id, r), "workload-client-" + c);
      t.setDaemon(true);
      t.start();
      workers.add(t);
    }
  }

  /** A fault begins now; its effect is measured until the next one (or {@link #stop}). */
  void fault(String kind, String node) {
    faults.add(new Fault(kind, node, System.nanoTime()));
  }

  /** While marked, any failure but a retry-safe one counts (a rolling restart must fail nothing). */
  void markFailures(boolean on) {
    marked = on;
  }

  void problem(String p) {
    problems.add(p);
  }

  /** Node {@code i} left the cluster for good (node remove, then stopped): clients and checks stop using it. */
  void retire(int i) {
    retired.add(i);
  }

  /** The nodes not retired, by index. */
  List<Integer> serving() {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < clients.length; i++) if (!retired.contains(i)) out.add(i);
    return out;
  }

  private int nextServing(int node) {
    int next = (node + 1) % clients.length;
    while (retired.contains(next)) next = (next + 1) % clients.length;
    return next;
  }

  void stop() throws InterruptedException {
    faults.add(new Fault("end", "-", System.nanoTime()));
    stop = true;
    for (Thread t : workers) t.join(TimeUnit.SECONDS.toMillis(10));
  }

  /** Lets the workload run for {@code d}: the fault schedule's pacing, not a wait for a condition. */
  void pause(Duration d) {
    probe.expectNoMessage(d);
  }

  /** {@code condition}'s value once it stops throwing AssertionError, retried every {@code interval} for at most {@code max}. */
  <T> T await(Duration max, Duration interval, akka.japi.function.Creator<T> condition) {
    return probe.awaitAssert(max, interval, condition);
  }

  /** The workload's current client of node {@code i} (a node restarted gets a new one: {@link #awaitServing}). */
  ChronikClient client(int i) {
    return clients[i];
  }

  akka.actor.typed.ActorSystem<?> system() {
    return testKit.system();
  }

  // ---------------------------------------------------------------- the clients

  private void clientLoop(int id, Random rnd) {
    int ownHome = (id / 3) % clients.length;
    int home = ownHome;
    long awayUntil = 0;
    String partition = PARTITIONS.get(id % PARTITIONS.size());
    Map<String, String> lastSeen = new HashMap<>();
    long seq = 0;
    while (!stop) {
      if (home != ownHome && System.nanoTime() > awayUntil) home = ownHome;
      if (retired.contains(home)) home = nextServing(home);
      String key = "k" + rnd.nextInt(KEYS);
      boolean write;
      Supplier<CompletionStage<?>> call;
      Runnable onUnknown = () -> {};
      Consumer<Object> onSuccess;
      long callAt = System.nanoTime();
      ChronikClient c = clients[home];
      if (partition.equals("kv-0")) {
        int dice = rnd.nextInt(10);
        if (dice < 4) {
          write = false;
          ReadPolicy policy = rnd.nextBoolean() ? ReadPolicy.READ_POLICY_SAFE : ReadPolicy.READ_POLICY_NONE;
          call = () -> c.get(GetRequest.newBuilder().setTopic("kv").setPartition(0).setKey(key)
              .setReadPolicy(policy).build());
          onSuccess = r -> {
            GetResponse g = (GetResponse) r;
            String v = g.getFound() ? g.getValue().toStringUtf8() : null;
            lastSeen.put(key, v);
            kv(key, callAt, System.nanoTime(), new RegisterModel.Get(v));
          };
        } else if (dice < 7) {
          write = true;
          String value = "v" + values.incrementAndGet();
          call = () -> c.put(PutRequest.newBuilder().setTopic("kv").setPartition(0).setKey(key)
              .setValue(ByteString.copyFromUtf8(value)).build());
          onSuccess = r -> kv(key, callAt, System.nanoTime(), new RegisterModel.Put(value));
          onUnknown = () -> kv(key, callAt, HistoryOp.UNKNOWN, new RegisterModel.Put(value));
        } else {
          write = true;
          String value = "v" + values.incrementAndGet();
          String expected = lastSeen.get(key);
          CompareAndSetRequest.Builder b = CompareAndSetRequest.newBuilder().setTopic("kv").setPartition(0).setKey(key)
              .setNewValue(ByteString.copyFromUtf8(value));
          if (expected == null) b.setExpectAbsent(true); else b.setExpectedValue(ByteString.copyFromUtf8(expected));
          call = () -> c.compareAndSet(b.build());
          onSuccess = r -> kv(key, callAt, System.nanoTime(),
              new RegisterModel.Cas(expected, value, ((CompareAndSetResponse) r).getApplied()));
          onUnknown = () -> kv(key, callAt, HistoryOp.UNKNOWN, new RegisterModel.Cas(expected, value, null));
        }
      } else {
        int p = Integer.parseInt(partition.substring(partition.indexOf('-') + 1));
        if (rnd.nextBoolean()) {
          write = true;
          String record = "c" + id + "-" + (seq++);
          call = () -> c.produce(ProduceRequest.newBuilder().setTopic("log").setPartition(p)
              .addRecords(ByteString.copyFromUtf8(record)).build());
          onSuccess = r -> acknowledged.computeIfAbsent(partition, x -> new ConcurrentHashMap<>())
              .put(((ProduceResponse) r).getBaseOffset(), record);
          onUnknown = () -> unknownProduces.computeIfAbsent(partition, x -> Collections.synchronizedList(
              new ArrayList<>())).add(record);
        } else {
          write = false;
          Map<Long, String> known = acknowledged.getOrDefault(partition, Map.of());
          long from = Math.max(0, known.size() - 1 - rnd.nextInt(20));
          call = () -> c.fetch(FetchRequest.newBuilder().setTopic("log").setPartition(p).setOffset(from)
              .setMaxRecords(20).setMaxBytes(1 << 20).setReadPolicy(ReadPolicy.READ_POLICY_SAFE).build());
          onSuccess = r -> onFetched(partition, (FetchResponse) r);
        }
      }
      ops.incrementAndGet();
      try {
        Object response = call.get().toCompletableFuture().get(OP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        onSuccess.accept(response);
        successes.add(new Success(partition, write, System.nanoTime()));
      } catch (InterruptedException e) {
        return;
      } catch (ExecutionException | TimeoutException e) {
        boolean retrySafe = retrySafe(e);
        if (retrySafe) {
          retrySafeFailures.incrementAndGet();
        } else {
          if (write) {
            unknownOps.incrementAndGet();
            onUnknown.run();
          }
          if (marked) {
            markedFailures.incrementAndGet();
            if (failureSamples.size() < 10) failureSamples.add(cluster.ids().get(home) + ": " + e);
          }
        }
        if (!retrySafe || transportFailure(e)) { // that node may be down: try another for a while
          home = nextServing(home);
          awayUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        }
      }
    }
  }

  private void onFetched(String partition, FetchResponse f) {
    Map<Long, String> seen = fetched.computeIfAbsent(partition, x -> new ConcurrentHashMap<>());
    for (int i = 0; i < f.getRecordsCount(); i++) {
      String rec = f.getRecords(i).toStringUtf8();
      String before = seen.putIfAbsent(f.getFirstOffset() + i, rec);
      if (before != null && !before.equals(rec)) {
        problems.add(partition + ": offset " + (f.getFirstOffset() + i) + " read as " + before + " and as " + rec);
      }
    }
  }

  private void kv(String key, long call, long ret, RegisterModel.Op op) {
    List<HistoryOp<RegisterModel.Op>> history = kvHistory.computeIfAbsent(key, k -> new ArrayList<>());
    synchronized (history) {
      history.add(new HistoryOp<>(history.size(), call, ret, op));
    }
  }

  /**
   * Whether nothing happened: the node said so ({@code chronik-retry-safe}), or the connection was
   * refused (the request never left). A broken connection or a timeout may follow an applied write.
   */
  private static boolean retrySafe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException sre) {
        Metadata trailers = sre.getTrailers();
        if (trailers != null && "true".equals(trailers.get(
            Metadata.Key.of("chronik-retry-safe", Metadata.ASCII_STRING_MARSHALLER)))) {
          return true;
        }
      }
      if (t instanceof java.net.ConnectException) return true;
    }
    return false;
  }

  private static boolean transportFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- the nodes

  private ChronikClient connect(int node) {
    return ChronikClient.create(io.chronik.raft.client.GrpcClients.settings(cluster.host(node), cluster.grpcPort(node),
        testKit.system()).withTls(false).withConnectionAttempts(-1), testKit.system());
  }

  /** Starts node {@code i} again on its data; returns seconds from process start to its first own safe read. */
  double restartAndAwaitServing(int i) throws Exception {
    long start = System.nanoTime();
    cluster.start(i);
    return awaitServing(i, start);
  }

  /**
   * Seconds from {@code since} until node {@code i} itself serves a safe read, through a connection
   * made once its port is open (a channel that failed to connect before waits out a reconnect
   * backoff, which would be measured instead of the node); the clients use it from then on.
   */
  double awaitServing(int i, long since) {
    probe.awaitAssert(Duration.ofSeconds(120), Duration.ofMillis(20), () -> {
      try (java.net.Socket s = new java.net.Socket(cluster.host(i), cluster.grpcPort(i))) {
        return s.isConnected();
      } catch (java.io.IOException e) {
        throw new AssertionError(cluster.ids().get(i) + " does not listen yet: " + e);
      }
    });
    ChronikClient fresh = connect(i);
    double seconds = probe.awaitAssert(Duration.ofSeconds(120), Duration.ofMillis(20), () -> {
      GetResponse g;
      try {
        g = fresh.get(GetRequest.newBuilder().setTopic("kv").setPartition(0).setKey("k0")
            .setReadPolicy(ReadPolicy.READ_POLICY_SAFE).build()).toCompletableFuture().get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError(cluster.ids().get(i) + " does not serve a safe read yet: " + e);
      }
      // served_by names the member: node-3/2 after node-3's members were replaced
      assertEquals(cluster.ids().get(i), Configuration.nodeOf(g.getServedBy()), "served by the node itself");
      return (System.nanoTime() - since) / 1e9;
    });
    ChronikClient old = clients[i];
    clients[i] = fresh;
    old.close();
    return seconds;
  }

  StatusResponse status() {
    return probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      List<String> errors = new ArrayList<>();
      for (int i : serving()) {
        if (!cluster.running(i)) continue;
        try {
          return clients[i].status(StatusRequest.getDefaultInstance()).toCompletableFuture().get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
          errors.add(e.toString());
        }
      }
      throw new AssertionError("no node answered a status request: " + errors);
    });
  }

  /**
   * Waits until every partition is led by its preferred leader (placement's choice, spread over
   * the nodes) and returns how many partitions each node leads.
   */
  Map<String, Integer> awaitPreferredLeaders(Duration max) {
    return probe.awaitAssert(max, Duration.ofMillis(500), () -> {
      StatusResponse s = status();
      Map<String, Integer> led = new TreeMap<>();
      for (PartitionStatus p : s.getPartitionsList()) {
        assertEquals(p.getPreferredLeader(), p.getLeader(), p.getPartition() + " is led by its preferred leader");
        led.merge(p.getLeader(), 1, Integer::sum);
      }
      return led;
    });
  }

  /**
   * Seconds one status request through node {@code via} took, or -1 when it failed; a problem is
   * recorded when it does not show every replica on node {@code down} as unreachable.
   */
  double timedStatus(int via, String down) {
    long start = System.nanoTime();
    StatusResponse s;
    try {
      s = clients[via].status(StatusRequest.getDefaultInstance()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      problems.add("status through " + cluster.ids().get(via) + " failed while " + down + " was down: " + e);
      return -1;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    for (PartitionStatus p : s.getPartitionsList()) {
      for (io.chronik.raft.api.grpc.ReplicaStatus r : p.getReplicasList()) {
        if (r.getNode().equals(down) && !r.getRole().equals("unreachable")) {
          problems.add("status through " + cluster.ids().get(via) + " shows " + down + "'s replica of "
              + p.getPartition() + " as " + r.getRole() + " while the node is down");
        }
      }
    }
    return seconds;
  }

  /** The oldest Akka member by a node's status; a build that does not report it: the node started first. */
  int oldestMember(StatusResponse s) {
    for (NodeStatus n : s.getNodeStatesList()) {
      if (n.getOldestMember()) return cluster.ids().indexOf(n.getNode());
    }
    return 0;
  }

  int leaderOfMost(StatusResponse s) {
    Map<String, Integer> led = new HashMap<>();
    for (PartitionStatus p : s.getPartitionsList()) if (!p.getLeader().isEmpty()) led.merge(p.getLeader(), 1, Integer::sum);
    return led.entrySet().stream().max(Map.Entry.comparingByValue()).map(e -> cluster.ids().indexOf(e.getKey()))
        .orElse(0);
  }

  /** What every node holds of the acknowledged records: {@link #audit}. */
  record Audit(long acknowledged, long lost, long different, List<String> samples) {}

  /**
   * Reads every record-log partition whole through each node in turn, with {@code safe} reads
   * that node serves itself, and compares each acknowledged record with what that node holds at
   * its offset: lost (the node has nothing there) or different (another record is there).
   */
  Audit audit() {
    long acked = 0;
    long lost = 0;
    long different = 0;
    List<String> samples = new ArrayList<>();
    for (String p : List.of("log-0", "log-1")) {
      Map<Long, String> ack = acknowledged.getOrDefault(p, Map.of());
      for (int i : serving()) {
        acked += ack.size();
        List<String> held = readWholeLogThrough(i, p);
        for (Map.Entry<Long, String> e : ack.entrySet()) {
          int offset = (int) (long) e.getKey();
          if (offset >= held.size()) {
            lost++;
            if (samples.size() < 10) samples.add(cluster.ids().get(i) + " " + p + "@" + offset + " lost");
          } else if (!held.get(offset).equals(e.getValue())) {
            different++;
            if (samples.size() < 10) samples.add(cluster.ids().get(i) + " " + p + "@" + offset + " holds "
                + held.get(offset) + ", acknowledged " + e.getValue());
          }
        }
      }
    }
    return new Audit(acked, lost, different, samples);
  }

  private List<String> readWholeLogThrough(int node, String partition) {
    int p = Integer.parseInt(partition.substring(partition.indexOf('-') + 1));
    List<String> out = new ArrayList<>();
    return probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
      while (true) {
        FetchResponse f;
        try {
          f = clients[node].fetch(FetchRequest.newBuilder().setTopic("log").setPartition(p)
                  .setOffset(out.size()).setMaxRecords(5000).setMaxBytes(8 << 20)
                  .setReadPolicy(ReadPolicy.READ_POLICY_SAFE).build())
              .toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new AssertionError("could not read " + partition + " through " + cluster.ids().get(node)
              + " from offset " + out.size() + ": " + e);
        }
        assertEquals(cluster.ids().get(node), Configuration.nodeOf(f.getServedBy()), "a safe fetch served by the node asked");
        if (f.getRecordsCount() == 0) return out;
        for (ByteString r : f.getRecordsList()) out.add(r.toStringUtf8());
      }
    });
  }

  private List<String> readWholeLog(String partition) {
    int p = Integer.parseInt(partition.substring(partition.indexOf('-') + 1));
    List<String> out = new ArrayList<>();
    AtomicInteger via = new AtomicInteger();
    return probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
      while (true) {
        FetchResponse f;
        try {
          List<Integer> nodes = serving();
          f = clients[nodes.get(via.getAndIncrement() % nodes.size())].fetch(FetchRequest.newBuilder().setTopic("log").setPartition(p)
                  .setOffset(out.size()).setMaxRecords(5000).setMaxBytes(8 << 20)
                  .setReadPolicy(ReadPolicy.READ_POLICY_SAFE).build())
              .toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new AssertionError("could not read " + partition + " from offset " + out.size() + ": " + e);
        }
        if (f.getRecordsCount() == 0) return out;
        for (ByteString r : f.getRecordsList()) out.add(r.toStringUtf8());
      }
    });
  }

  // ---------------------------------------------------------------- checks

  /**
   * Every key's history is linearizable; no acknowledged produce is lost, duplicated or moved,
   * nothing unwritten appears, every fetch agrees with the final log (read with every node up);
   * per fault, the longest stretch per partition without a successful write and without a
   * successful read.
   */
  Report check() throws Exception {
    for (int i : serving()) if (!cluster.running(i)) restartAndAwaitServing(i);
    List<String> violations = new ArrayList<>(problems);
    long historyOps = 0;
    for (Map.Entry<String, List<HistoryOp<RegisterModel.Op>>> e : new TreeMap<>(kvHistory).entrySet()) {
      historyOps += e.getValue().size();
      LinearizabilityChecker.Verdict v = LinearizabilityChecker.check(new RegisterModel(), e.getValue(), 20_000_000);
      if (v != LinearizabilityChecker.Verdict.LINEARIZABLE) violations.add("key " + e.getKey() + ": " + v);
    }
    for (String p : List.of("log-0", "log-1")) violations.addAll(checkLog(p, readWholeLog(p)));

    List<Success> all = new ArrayList<>(successes);
    double maxUnavailable = 0;
    List<FaultCost> costs = new ArrayList<>();
    StringBuilder table = new StringBuilder();
    for (int f = 0; f + 1 < faults.size(); f++) {
      Fault fault = faults.get(f);
      long end = faults.get(f + 1).at;
      StringBuilder row = new StringBuilder(String.format("  %-34s %-7s", fault.kind, fault.node));
      double worst = 0;
      for (String p : PARTITIONS) {
        double w = longestGap(all, p, true, fault.at, end);
        double r = longestGap(all, p, false, fault.at, end);
        worst = Math.max(worst, Math.max(w, r));
        row.append(String.format("  %s w %4.1fs r %4.1fs", p, w, r));
      }
      maxUnavailable = Math.max(maxUnavailable, worst);
      costs.add(new FaultCost(fault.kind, fault.node, worst));
      table.append(row).append('\n');
    }
    return new Report(violations, maxUnavailable, table.toString(), ops.get(), historyOps, unknownOps.get(),
        retrySafeFailures.get(), markedFailures.get(), List.copyOf(failureSamples), List.copyOf(costs));
  }

  private List<String> checkLog(String p, List<String> records) {
    List<String> violations = new ArrayList<>();
    acknowledged.getOrDefault(p, Map.of()).forEach((offset, record) -> {
      if (offset >= records.size() || !records.get((int) (long) offset).equals(record)) {
        violations.add(p + ": acknowledged record " + record + " at offset " + offset + " is not there (found "
            + (offset < records.size() ? records.get((int) (long) offset) : "nothing") + ")");
      }
    });
    Map<String, Integer> seen = new HashMap<>();
    for (String r : records) seen.merge(r, 1, Integer::sum);
    seen.forEach((r, n) -> {
      if (n > 1) violations.add(p + ": record " + r + " appears " + n + " times (a write applied twice)");
    });
    Set<String> written = new HashSet<>(acknowledged.getOrDefault(p, Map.of()).values());
    written.addAll(unknownProduces.getOrDefault(p, List.of()));
    for (String r : records) if (!written.contains(r)) violations.add(p + ": record " + r + " was never written");
    fetched.getOrDefault(p, Map.of()).forEach((offset, record) -> {
      if (offset >= records.size() || !records.get((int) (long) offset).equals(record)) {
        violations.add(p + ": a fetch saw " + record + " at offset " + offset + ", the final log does not");
      }
    });
    return violations;
  }

  /** Seconds of the longest stretch in [from, to] without a success of the kind on partition p. */
  private static double longestGap(List<Success> all, String p, boolean write, long from, long to) {
    long last = from;
    long longest = 0;
    for (Success s : all) {
      if (!s.partition.equals(p) || s.write != write || s.at < from || s.at > to) continue;
      longest = Math.max(longest, s.at - last);
      last = Math.max(last, s.at);
    }
    longest = Math.max(longest, to - last);
    return longest / 1e9;
  }

  @Override
  public void close() {
    stop = true;
    for (ChronikClient c : clients) if (c != null) c.close();
    testKit.shutdownTestKit();
  }
}
