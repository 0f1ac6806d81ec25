package io.chronik.raft.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.NoOffset;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import io.chronik.raft.cluster.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * Akka Persistence Query on chronik, on a three-node cluster: counters persist on n1, the queries
 * run on n2 (served by its replicas with safe reads).
 */
@Tag("cluster")
class ReadJournalClusterTest {
  private static final int COUNTERS = 6;
  private static final int EVENTS = 10;
  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.start(List.of("n1", "n2", "n3"),
        "[{ name = akka-journal, partitions = 3, replication-factor = 3, state-machine = journal }]", String.join("\n",
            "akka.persistence.journal.plugin = \"chronik.persistence.journal\"",
            "akka.persistence.snapshot-store.plugin = \"chronik.persistence.snapshot-store\""));
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
  }

  private static ChronikReadJournal queries(ActorTestKit kit) {
    return PersistenceQuery.get(akka.actor.typed.javadsl.Adapter.toClassic(kit.system()))
        .getReadJournalFor(ChronikReadJournal.class, ChronikReadJournal.IDENTIFIER);
  }

  private static long add(ActorTestKit kit, ActorRef<Counter.Command> counter) throws Exception {
    return AskPattern.<Counter.Command, Long>ask(counter, Counter.Add::new, Duration.ofSeconds(20), kit.scheduler())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static <T> List<T> run(akka.stream.javadsl.Source<T, ?> source, ActorTestKit kit) throws Exception {
    return source.runWith(Sink.seq(), kit.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void liveAndCurrentQueriesSeeEveryEventOnceAndInOrderAndLiveOnesAreWokenByWrites() throws Exception {
    ActorTestKit writer = cluster.kit(0);
    ActorTestKit reader = cluster.kit(1);
    ChronikReadJournal queries = queries(reader);
    ConcurrentLinkedQueue<EventEnvelope> live = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> liveIds = new ConcurrentLinkedQueue<>();
    queries.eventsByTag(Counter.TAG, NoOffset.getInstance()).runForeach(live::add, reader.system());
    queries.persistenceIds().runForeach(liveIds::add, reader.system());

    TestProbe<Counter.Recovered> ignored = writer.createTestProbe();
    List<ActorRef<Counter.Command>> counters = new ArrayList<>();
    for (int i = 0; i < COUNTERS; i++) counters.add(writer.spawn(new Counter("q-" + i, ignored.ref())));
    for (int e = 0; e < EVENTS; e++) {
      for (ActorRef<Counter.Command> c : counters) add(writer, c);
    }
    TestProbe<Object> probe = reader.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
      assertEquals(COUNTERS * EVENTS, live.size(), "live eventsByTag envelopes");
      return null;
    });
    assertEveryEventOnceInOrder(new ArrayList<>(live));

    // Woken by the write, not by a timer: nothing polls sooner than a read timeout (5 s) otherwise.
    long before = System.nanoTime();
    add(writer, counters.get(0));
    probe.awaitAssert(Duration.ofSeconds(2), Duration.ofMillis(10), () -> {
      assertEquals(COUNTERS * EVENTS + 1, live.size(), "the new event, within 2 s of its acknowledgement");
      return null;
    });
    System.out.printf("ReadJournalClusterTest: a live eventsByTag saw an acknowledged event %.0f ms after the write "
        + "began%n", (System.nanoTime() - before) / 1e6);

    List<EventEnvelope> current = run(queries.currentEventsByTag(Counter.TAG, NoOffset.getInstance()), reader);
    assertEquals(COUNTERS * EVENTS + 1, current.size());
    assertEveryEventOnceInOrder(current);
    EventEnvelope middle = current.get(30);
    List<EventEnvelope> rest = run(queries.currentEventsByTag(Counter.TAG,
        PartitionOffsets.parse(middle.offset().toString())), reader);
    Set<String> expected = new TreeSet<>();
    for (EventEnvelope e : current.subList(31, current.size())) expected.add(e.persistenceId() + "#" + e.sequenceNr());
    Set<String> resumed = new TreeSet<>();
    for (EventEnvelope e : rest) resumed.add(e.persistenceId() + "#" + e.sequenceNr());
    assertEquals(expected, resumed, "resuming from an envelope's offset gives exactly what came after it");

    List<EventEnvelope> range = run(queries.currentEventsByPersistenceId("q-1", 3, 7), reader);
    assertEquals(List.of(3L, 4L, 5L, 6L, 7L), range.stream().map(EventEnvelope::sequenceNr).toList());
    assertEquals("e3", range.get(0).event());
    assertEquals(akka.persistence.query.Offset.sequence(3), range.get(0).offset());

    ConcurrentLinkedQueue<EventEnvelope> liveOne = new ConcurrentLinkedQueue<>();
    queries.eventsByPersistenceId("q-2", EVENTS + 1, Long.MAX_VALUE).runForeach(liveOne::add, reader.system());
    add(writer, counters.get(2));
    probe.awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(20), () -> {
      assertEquals(List.of(EVENTS + 1L), liveOne.stream().map(EventEnvelope::sequenceNr).toList());
      return null;
    });

    assertEquals(new TreeSet<>(List.of("q-0", "q-1", "q-2", "q-3", "q-4", "q-5")),
        new TreeSet<>(run(queries.currentPersistenceIds(), reader)));
    add(writer, writer.spawn(new Counter("q-new", ignored.ref())));
    probe.awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(20), () -> {
      assertTrue(liveIds.contains("q-new"), "live persistenceIds: " + liveIds);
      assertEquals(COUNTERS + 1, liveIds.size(), "each id once: " + liveIds);
      return null;
    });
  }

  private static void assertEveryEventOnceInOrder(List<EventEnvelope> envelopes) {
    Map<String, Long> last = new LinkedHashMap<>();
    for (EventEnvelope e : envelopes) {
      long previous = last.getOrDefault(e.persistenceId(), 0L);
      assertEquals(previous + 1, e.sequenceNr(), e.persistenceId() + " out of order or repeated in " + envelopes);
      assertEquals("e" + e.sequenceNr(), e.event());
      last.put(e.persistenceId(), e.sequenceNr());
    }
  }
}
