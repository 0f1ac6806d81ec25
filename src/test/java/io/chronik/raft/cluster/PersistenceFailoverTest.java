package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import io.chronik.raft.persistence.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Persistent entities (Akka Persistence on chronik) under a load of commands, while acknowledgements
 * of committed writes are dropped (so writes are resent) and the node leading most journal
 * partitions is stopped: afterwards every entity, recovered on the stopped node once it is back,
 * replays exactly e1, e2, ... in order, at least up to the last count it acknowledged.
 */
@Tag("cluster")
class PersistenceFailoverTest {
  private static final String TOPIC = "akka-journal";
  private static final int PARTITIONS = 3;
  private static final int ENTITIES = 24;

  @Test
  void everyAcknowledgedEventSurvivesResendsAndTheLossOfTheJournalLeadersNode() throws Exception {
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3"), "[{ name = " + TOPIC + ", partitions = "
        + PARTITIONS + ", replication-factor = 3, state-machine = journal }]", String.join("\n",
            "akka.persistence.journal.plugin = \"chronik.persistence.journal\"",
            "akka.persistence.snapshot-store.plugin = \"chronik.persistence.snapshot-store\"",
            "chronik.cluster.message-filter = \"" + DropProposeResults.class.getName() + "\"",
            "chronik.raft.proposal-timeout = 300ms"))) {
      ActorTestKit app = c.kit(0);
      TestProbe<Counter.Recovered> ignored = app.createTestProbe();
      Map<String, AtomicLong> acknowledged = new ConcurrentHashMap<>();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger outstanding = new AtomicInteger();
      AtomicLong total = new AtomicLong();
      for (int i = 0; i < ENTITIES; i++) {
        String id = "account-" + i;
        acknowledged.put(id, new AtomicLong());
        ActorRef<Counter.Command> counter = app.spawn(new Counter(id, ignored.ref()));
        load(app, counter, acknowledged.get(id), running, outstanding, total);
      }
      awaitProgress(app, total, 150, "before the fault");
      DropProposeResults.budget.set(20);
      awaitProgress(app, total, 150, "while acknowledgements are dropped");
      int victim = nodeLeadingMost(c);
      c.stop(victim);
      awaitProgress(app, total, 150, "after node " + c.ids.get(victim) + " was stopped");
      running.set(false);
      TestProbe<Object> wait = app.createTestProbe();
      wait.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
        assertEquals(0, outstanding.get(), "commands still unanswered");
        return null;
      });
      DropProposeResults.budget.set(0);

      c.start(victim);
      c.awaitAllUp();
      ActorTestKit recoverer = c.kit(victim);
      TestProbe<Counter.Recovered> recovered = recoverer.createTestProbe();
      for (String id : acknowledged.keySet()) recoverer.spawn(new Counter(id, recovered.ref()));
      Map<String, Long> counts = new LinkedHashMap<>();
      for (int i = 0; i < ENTITIES; i++) {
        Counter.Recovered r = recovered.expectMessageClass(Counter.Recovered.class, Duration.ofSeconds(60));
        counts.put(r.persistenceId(), r.count());
      }
      List<String> problems = new ArrayList<>();
      acknowledged.forEach((id, acked) -> {
        long count = counts.get(id);
        if (count < 0) problems.add(id + ": its events were not e1, e2, ... in order");
        else if (count < acked.get()) problems.add(id + ": recovered " + count + " events, " + acked.get() + " acknowledged");
      });
      System.out.println("PersistenceFailoverTest: " + total.get() + " acknowledged events, node " + c.ids.get(victim)
          + " stopped; recovered counts " + counts);
      assertEquals(List.of(), problems);
      assertTrue(DropProposeResults.budget.get() == 0, "the dropped acknowledgements were used up");
    } finally {
      DropProposeResults.budget.set(0);
    }
  }

  /** Sends Add to {@code counter} in a closed loop while {@code running}, recording the highest count acknowledged. */
  private static void load(ActorTestKit app, ActorRef<Counter.Command> counter, AtomicLong acked, AtomicBoolean running,
      AtomicInteger outstanding, AtomicLong total) {
    if (!running.get()) return;
    outstanding.incrementAndGet();
    AskPattern.<Counter.Command, Long>ask(counter, Counter.Add::new, Duration.ofSeconds(5), app.scheduler())
        .whenComplete((count, error) -> {
          if (count != null) {
            acked.accumulateAndGet(count, Math::max);
            total.incrementAndGet();
          }
          outstanding.decrementAndGet();
          if (error == null) {
            load(app, counter, acked, running, outstanding, total);
          } else {
            // The entity restarts after a failed persist; try again shortly.
            java.util.concurrent.CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)
                .execute(() -> load(app, counter, acked, running, outstanding, total));
          }
        });
  }

  private static void awaitProgress(ActorTestKit app, AtomicLong total, long more, String when) {
    long target = total.get() + more;
    TestProbe<Object> probe = app.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
      assertTrue(total.get() >= target, "only " + total.get() + " of " + target + " events acknowledged " + when);
      return null;
    });
  }

  /** Of n2 and n3 (the entities live on n1), the node leading most journal partitions. */
  private static int nodeLeadingMost(TestCluster c) {
    Map<String, Integer> led = new LinkedHashMap<>(Map.of("n2", 0, "n3", 0));
    for (int p = 0; p < PARTITIONS; p++) led.computeIfPresent(c.awaitLeader(0, TOPIC + "-" + p).replicaId(), (n, k) -> k + 1);
    return c.indexOf(led.get("n2") >= led.get("n3") ? "n2" : "n3");
  }
}
