package io.chronik.raft.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.cluster.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Akka Persistence on chronik against akka-persistence's own LevelDB journal (local, one node,
 * fsync on), back to back in this JVM: persist throughput of {@code entities} counters written
 * {@code concurrency} at a time ({@code events} each, one persist per command, closed loop), then
 * the time to recover them all on a fresh ActorSystem (for chronik: on a member that never hosted
 * them). Both write LevelDB's log with forced writes (chronik's setting, {@code leveldb.mmap=false}). Every recovered count is checked. Opt-in, it takes minutes:
 * <pre>./mvnw test -Dtest=PersistenceBenchTest -Dchronik.persistence-bench=true
 *     [-Dchronik.pbench.entities=1000 -Dchronik.pbench.events=100 -Dchronik.pbench.concurrency=64]</pre>
 */
@Tag("cluster")
@EnabledIfSystemProperty(named = "chronik.persistence-bench", matches = "true")
class PersistenceBenchTest {
  private static final int ENTITIES = Integer.getInteger("chronik.pbench.entities", 1000);
  private static final int EVENTS = Integer.getInteger("chronik.pbench.events", 100);
  private static final int CONCURRENCY = Integer.getInteger("chronik.pbench.concurrency", 64);
  private static final Duration ASK = Duration.ofSeconds(30);

  record Result(String journal, double eventsPerSecond, double recoverySeconds) {}

  @Test
  void chronikAgainstLevelDb() throws Exception {
    // Both journals write LevelDB's log the way chronik's storage does in production (forced
    // FileChannel writes, not memory maps); whichever opens LevelDB first fixes it for the JVM.
    io.chronik.raft.storage.LevelDbForcedWrites.ensure();
    List<Result> results = new ArrayList<>();
    results.add(levelDb("leveldb (before)"));
    results.add(chronik());
    results.add(levelDb("leveldb (after)"));
    System.out.printf("%nAkka Persistence, %d entities x %d events, %d entities persisting at once%n", ENTITIES,
        EVENTS, CONCURRENCY);
    System.out.printf("%-30s %14s %14s%n", "journal", "events/s", "recovery s");
    for (Result r : results) System.out.printf("%-30s %14.0f %14.2f%n", r.journal(), r.eventsPerSecond(), r.recoverySeconds());
    double leveldbRate = (results.get(0).eventsPerSecond() + results.get(2).eventsPerSecond()) / 2;
    double leveldbRecovery = (results.get(0).recoverySeconds() + results.get(2).recoverySeconds()) / 2;
    System.out.printf("chronik / leveldb (mean of both runs): persist %.2fx, recovery time %.2fx%n%n",
        results.get(1).eventsPerSecond() / leveldbRate, results.get(1).recoverySeconds() / leveldbRecovery);
  }

  private static Result levelDb(String name) throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "leveldb-journal-");
    String config = String.join("\n",
        "akka.persistence.journal.plugin = \"akka.persistence.journal.leveldb\"",
        "akka.persistence.journal.leveldb.dir = \"" + dir.resolve("journal") + "\"",
        "akka.persistence.journal.leveldb.native = off",
        "akka.persistence.journal.leveldb.fsync = on",
        "akka.persistence.snapshot-store.plugin = \"akka.persistence.snapshot-store.local\"",
        "akka.persistence.snapshot-store.local.dir = \"" + dir.resolve("snapshots") + "\"",
        "akka.loglevel = WARNING");
    ActorTestKit writer = ActorTestKit.create("leveldb", ConfigFactory.parseString(config).withFallback(ConfigFactory.load()));
    double rate;
    try {
      rate = persist(writer);
    } finally {
      writer.shutdownTestKit();
    }
    ActorTestKit reader = ActorTestKit.create("leveldb", ConfigFactory.parseString(config).withFallback(ConfigFactory.load()));
    try {
      return new Result(name, rate, recover(reader));
    } finally {
      reader.shutdownTestKit();
    }
  }

  private static Result chronik() throws Exception {
    try (TestCluster cluster = TestCluster.start(List.of("n1", "n2", "n3"),
        "[{ name = akka-journal, partitions = 6, replication-factor = 3, state-machine = journal }]", String.join("\n",
            "akka.persistence.journal.plugin = \"chronik.persistence.journal\"",
            "akka.persistence.snapshot-store.plugin = \"chronik.persistence.snapshot-store\""))) {
      double rate = persist(cluster.kit(0));
      return new Result("chronik (3 nodes, replicated)", rate, recover(cluster.kit(1)));
    }
  }

  /** Events per second while CONCURRENCY entities at a time each persist EVENTS events, one after another. */
  private static double persist(ActorTestKit kit) throws Exception {
    TestProbe<Counter.Recovered> recovered = kit.createTestProbe();
    List<ActorRef<Counter.Command>> counters = new ArrayList<>();
    for (int i = 0; i < ENTITIES; i++) counters.add(kit.spawn(new Counter("counter-" + i, recovered.ref())));
    for (int i = 0; i < ENTITIES; i++) recovered.expectMessageClass(Counter.Recovered.class, ASK);
    long start = System.nanoTime();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < CONCURRENCY; lane++) {
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      for (int i = lane; i < ENTITIES; i += CONCURRENCY) {
        ActorRef<Counter.Command> counter = counters.get(i);
        for (int e = 0; e < EVENTS; e++) {
          chain = chain.thenCompose(v -> AskPattern.<Counter.Command, Long>ask(counter,
              Counter.Add::new, ASK, kit.scheduler()).thenApply(count -> null));
        }
      }
      lanes.add(chain.toCompletableFuture());
    }
    CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
    return (double) ENTITIES * EVENTS / ((System.nanoTime() - start) / 1e9);
  }

  /** Seconds until every entity has recovered, each with all EVENTS events (checked). */
  private static double recover(ActorTestKit kit) {
    TestProbe<Counter.Recovered> recovered = kit.createTestProbe();
    long start = System.nanoTime();
    for (int i = 0; i < ENTITIES; i++) kit.spawn(new Counter("counter-" + i, recovered.ref()));
    for (int i = 0; i < ENTITIES; i++) {
      Counter.Recovered r = recovered.expectMessageClass(Counter.Recovered.class, Duration.ofSeconds(60));
      assertEquals(EVENTS, r.count(), r.persistenceId() + " recovered with a wrong count (-1: its events out of order)");
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
