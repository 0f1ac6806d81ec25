package io.chronik.raft.example.bank;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.typed.Cluster;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.NoOffset;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.persistence.ChronikReadJournal;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One member of the bank example: an Akka Cluster member that is a chronik node and hosts
 * cluster-sharded {@link Account}s, whose events chronik keeps (Akka Persistence on chronik).
 * The member started with {@code drive} also deposits into the accounts under a closed-loop load
 * until it reads "stop" on its standard input, then checks that every acknowledged deposit is in
 * its account (recovered wherever sharding put it) and in an eventsByTag projection read from
 * this member's replicas, each once and in order; it exits 0 when so.
 *
 * <p>Run: {@code java -Dconfig.resource=example/bank.conf io.chronik.raft.example.bank.BankMember
 * <node id> <port> <seed port>,... [drive <accounts>]} ({@code BankExampleTest} runs three).
 */
public final class BankMember {
  private BankMember() {}

  public static void main(String[] args) throws Exception {
    String nodeId = args[0];
    int port = Integer.parseInt(args[1]);
    List<String> seeds = new ArrayList<>();
    for (String p : args[2].split(",")) seeds.add("\"akka://bank@127.0.0.1:" + p + "\"");
    Config settings = ConfigFactory.parseString(String.join("\n",
        "chronik.node-id = " + nodeId,
        "akka.remote.artery.canonical.port = " + port,
        "akka.cluster.roles = [chronik, chronik-node-" + nodeId + "]",
        "akka.cluster.seed-nodes = [" + String.join(",", seeds) + "]"));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bank",
        ConfigFactory.load(settings.withFallback(ConfigFactory.defaultApplication())));
    ChronikRaft.get(system);
    ClusterSharding.get(system).init(Entity.of(Account.KEY, ctx -> Account.create(ctx.getEntityId())));
    System.out.println(nodeId + " started");
    akka.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(() -> System.out.println(nodeId + " up"));
    if (args.length > 3 && args[3].equals("drive")) {
      boolean ok = drive(system, Integer.parseInt(args[4]));
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      System.exit(ok ? 0 : 1);
    }
  }

  private static boolean drive(ActorSystem<Void> system, int accounts) throws Exception {
    awaitMembers(system, 3);
    ClusterSharding sharding = ClusterSharding.get(system);
    Map<String, List<String>> acked = new ConcurrentHashMap<>();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger outstanding = new AtomicInteger();
    AtomicLong ackedCount = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong ids = new AtomicLong();
    for (int w = 0; w < 16; w++) {
      deposit(sharding, accounts, acked, running, outstanding, ackedCount, failed, ids);
    }
    System.out.println("load started");
    akka.actor.Cancellable progress = system.scheduler().scheduleAtFixedRate(Duration.ZERO, Duration.ofSeconds(1),
        () -> System.out.println("acked " + ackedCount.get() + " failed " + failed.get()), system.executionContext());
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
      // wait for "stop"
    }
    running.set(false);
    progress.cancel();
    await(system, () -> outstanding.get() == 0, 30, "deposits still unanswered");
    System.out.println("load stopped: acked " + ackedCount.get() + " failed " + failed.get());
    return verify(system, sharding, accounts, acked);
  }

  private static void deposit(ClusterSharding sharding, int accounts, Map<String, List<String>> acked,
      AtomicBoolean running, AtomicInteger outstanding, AtomicLong ackedCount, AtomicLong failed, AtomicLong ids) {
    if (!running.get()) return;
    String account = "acct-" + ThreadLocalRandom.current().nextInt(accounts);
    String depositId = "d" + ids.incrementAndGet();
    outstanding.incrementAndGet();
    sharding.entityRefFor(Account.KEY, account).<Long>ask(r -> new Account.Deposit(depositId, 1, r), Duration.ofSeconds(5))
        .whenComplete((balance, error) -> {
          if (error == null) {
            acked.computeIfAbsent(account, a -> java.util.Collections.synchronizedList(new ArrayList<>())).add(depositId);
            ackedCount.incrementAndGet();
          } else {
            failed.incrementAndGet();
          }
          outstanding.decrementAndGet();
          java.util.concurrent.CompletableFuture.delayedExecutor(error == null ? 0 : 100, TimeUnit.MILLISECONDS)
              .execute(() -> deposit(sharding, accounts, acked, running, outstanding, ackedCount, failed, ids));
        });
  }

  /** Every acknowledged deposit in its account's history and in the projection, each once, in order. */
  private static boolean verify(ActorSystem<Void> system, ClusterSharding sharding, int accounts,
      Map<String, List<String>> acked) throws Exception {
    List<String> problems = new ArrayList<>();
    Map<String, List<String>> histories = new LinkedHashMap<>();
    for (int a = 0; a < accounts; a++) {
      String account = "acct-" + a;
      Account.History h = null;
      for (int attempt = 0; attempt < 30 && h == null; attempt++) {
        try {
          h = sharding.entityRefFor(Account.KEY, account).<Account.History>ask(Account.GetHistory::new,
              Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          // its shard is moving; ask again
        }
      }
      if (h == null) {
        problems.add(account + " did not answer");
        continue;
      }
      histories.put(Account.KEY.name() + "|" + account, h.depositIds());
      check(account + "'s history", h.depositIds(), acked.getOrDefault(account, List.of()), problems);
    }
    ChronikReadJournal queries = PersistenceQuery.get(Adapter.toClassic(system))
        .getReadJournalFor(ChronikReadJournal.class, ChronikReadJournal.IDENTIFIER);
    List<EventEnvelope> projection = queries.currentEventsByTag(Account.TAG, NoOffset.getInstance())
        .runWith(Sink.seq(), system).toCompletableFuture().get(120, TimeUnit.SECONDS);
    Map<String, List<String>> projected = new LinkedHashMap<>();
    for (EventEnvelope e : projection) {
      List<String> seen = projected.computeIfAbsent(e.persistenceId(), p -> new ArrayList<>());
      if (e.sequenceNr() != seen.size() + 1) {
        problems.add("projection: " + e.persistenceId() + " event " + e.sequenceNr() + " after " + seen.size());
      }
      seen.add(((Account.Deposited) e.event()).depositId());
    }
    for (int a = 0; a < accounts; a++) {
      String pid = Account.KEY.name() + "|acct-" + a;
      List<String> p = projected.getOrDefault(pid, List.of());
      check("projection of acct-" + a, p, acked.getOrDefault("acct-" + a, List.of()), problems);
      if (histories.containsKey(pid) && !histories.get(pid).equals(p)) {
        problems.add("acct-" + a + ": the projection and the recovered entity disagree");
      }
    }
    long total = acked.values().stream().mapToLong(List::size).sum();
    if (problems.isEmpty()) {
      System.out.println("VERIFIED accounts " + accounts + ", acknowledged deposits " + total + ", projected events "
          + projection.size());
      return true;
    }
    System.out.println("VERIFY FAILED (" + problems.size() + "): " + problems.subList(0, Math.min(10, problems.size())));
    return false;
  }

  private static void check(String what, List<String> stored, List<String> acknowledged, List<String> problems) {
    Set<String> unique = new HashSet<>(stored);
    if (unique.size() != stored.size()) problems.add(what + " holds a deposit twice");
    List<String> missing = new ArrayList<>();
    synchronized (acknowledged) {
      for (String id : acknowledged) if (!unique.contains(id)) missing.add(id);
    }
    if (!missing.isEmpty()) problems.add(what + " lacks acknowledged deposits " + missing);
  }

  private static void awaitMembers(ActorSystem<Void> system, int members) throws Exception {
    await(system, () -> {
      long up = 0;
      for (akka.cluster.Member m : Cluster.get(system).state().getMembers()) if (m.status() == MemberStatus.up()) up++;
      return up >= members;
    }, 120, "fewer than " + members + " members up");
  }

  /** Until {@code condition} holds: Akka's {@code Patterns.retry} looks again every 100 ms, for up to {@code seconds}. */
  private static void await(ActorSystem<Void> system, java.util.function.BooleanSupplier condition, int seconds,
      String failure) throws Exception {
    akka.pattern.Patterns.retry(() -> condition.getAsBoolean()
            ? java.util.concurrent.CompletableFuture.completedFuture(true)
            : java.util.concurrent.CompletableFuture.<Boolean>failedFuture(new IllegalStateException(failure + " after "
                + seconds + " s")),
        seconds * 10, Duration.ofMillis(100), system.classicSystem().scheduler(), system.executionContext())
        .toCompletableFuture().get(seconds + 10, TimeUnit.SECONDS);
  }
}
