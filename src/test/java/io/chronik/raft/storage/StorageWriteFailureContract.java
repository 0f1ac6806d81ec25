package io.chronik.raft.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.Command;
import io.chronik.raft.replica.Envelope;
import io.chronik.raft.replica.GroupMembers;
import io.chronik.raft.replica.ReplicaLatency;
import io.chronik.raft.replica.Replica;
import io.chronik.raft.replica.ReplicaSettings;
import io.chronik.raft.replica.StorageFactory;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.Recover;
import io.chronik.raft.replica.StorageProtocol.Recovered;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * L1, issue 19 item 2: a write that fails (a full disk, an I/O error) is never acknowledged,
 * never leaves the log unreadable, and a replica whose disk failed for a while comes back by
 * itself once it works again, with the same log as its peers. Written once, bound to each
 * storage by a subclass that says how its disk fails.
 */
abstract class StorageWriteFailureContract {
  static final String GROUP = "g";
  static final List<String> REPLICAS = List.of("a", "b", "c");
  private static final AtomicInteger runs = new AtomicInteger();

  @TempDir Path dir;
  /** Unique per test: journal persistence ids outlive a test in the JVM. */
  final String run = "run" + runs.incrementAndGet();
  ActorTestKit kit;

  private TestProbe<Command> probe() {
    return kit.createTestProbe();
  }

  /** Settings of this storage's test system (journal plugins); the replicas' settings are added. */
  Config config() {
    return ConfigFactory.empty();
  }

  /** A new incarnation of replica {@code id}'s storage, on the same files. */
  abstract Behavior<StorageCommand> storage(String id);

  /** How replica {@code id} starts its storage, as in production. */
  abstract StorageFactory factory(String id);

  /** Every write of replica {@code id}'s storage fails from now on as on a full disk (or works again). */
  abstract void diskFull(String id, boolean full);

  /** How many of replica {@code id}'s writes have failed so far. */
  abstract int failedWrites(String id);

  @BeforeEach
  void startSystem() {
    kit = ActorTestKit.create("write-failure", ConfigFactory.parseString(String.join("\n",
            "chronik.raft.election-timeout = 1s",
            "chronik.raft.heartbeat-interval = 100ms",
            "chronik.raft.storage-restart-backoff = 200ms"))
        .withFallback(config())
        .withFallback(ConfigFactory.load())
        .resolve());
  }

  @AfterEach
  void stopSystem() {
    kit.shutdownTestKit();
  }

  static LogEntry entry(long index, long term) {
    return LogEntry.newBuilder().setIndex(index).setTerm(term).setCommand(ByteString.copyFromUtf8("e" + index)).build();
  }

  static HardState hs(long term, String vote) {
    return HardState.newBuilder().setTerm(term).setVotedFor(vote).build();
  }

  private Recovered recover(ActorRef<StorageCommand> storage) {
    TestProbe<Command> replica = probe();
    storage.tell(new Recover(replica.ref()));
    return replica.expectMessageClass(Recovered.class, Duration.ofSeconds(10));
  }

  private void write(ActorRef<StorageCommand> storage, long id, Optional<HardState> hs, List<LogEntry> entries) {
    TestProbe<Command> replica = probe();
    storage.tell(new Persist(id, hs, 0, entries, replica.ref()));
    assertEquals(new Persisted(id), replica.receiveMessage(Duration.ofSeconds(10)));
  }

  /**
   * Two acknowledged writes; then {@code fault} makes the third fail: it is not acknowledged and
   * the storage stops. With {@code clear}, the disk works again: reopened, the storage holds
   * exactly the two acknowledged writes and accepts writes again.
   */
  void aFailedWriteIsNeverAcknowledgedAndTheReopenedStorageHoldsExactlyTheAcknowledged(Runnable fault,
      Runnable clear) {
    ActorRef<StorageCommand> s = kit.spawn(storage("a"));
    recover(s);
    write(s, 1, Optional.of(hs(2, "a")), List.of(entry(1, 2), entry(2, 2)));
    write(s, 2, Optional.empty(), List.of(entry(3, 2)));

    fault.run();
    TestProbe<Command> replica = probe();
    s.tell(new Persist(3, Optional.of(hs(3, "b")), 0, List.of(entry(4, 3)), replica.ref()));
    replica.expectTerminated(s, Duration.ofSeconds(10));
    // It may say why the write failed (StorageFailed); never Persisted(3), before or after.
    List<Command> heard = heardWithin(replica, Duration.ofMillis(200));
    assertTrue(heard.stream().noneMatch(Persisted.class::isInstance), "a failed write was acknowledged: " + heard);

    clear.run();
    ActorRef<StorageCommand> again = kit.spawn(storage("a"));
    Recovered r = recover(again);
    assertEquals(hs(2, "a"), r.hardState(), "the failed write's vote was never acknowledged");
    assertEquals(List.of(entry(1, 2), entry(2, 2), entry(3, 2)), r.entries(), "exactly the acknowledged writes");
    write(again, 4, Optional.empty(), List.of(entry(4, 2)));
    kit.stop(again);
    assertEquals(List.of(entry(1, 2), entry(2, 2), entry(3, 2), entry(4, 2)), recover(kit.spawn(storage("a"))).entries());
  }

  @Test
  void aWriteOnAFullDiskIsNeverAcknowledgedAndTheReopenedStorageHoldsExactlyTheAcknowledgedWrites() {
    aFailedWriteIsNeverAcknowledgedAndTheReopenedStorageHoldsExactlyTheAcknowledged(
        () -> diskFull("a", true), () -> diskFull("a", false));
  }

  @Test
  void aReplicaWhoseDiskWasFullCatchesUpByItselfAndHoldsTheSameLogAsItsPeers() {
    Map<String, ActorRef<Command>> replicas = new ConcurrentHashMap<>();
    ActorRef<Envelope> net = kit.spawn(Behaviors.receive(Envelope.class)
        .onMessage(Envelope.class, e -> {
          ActorRef<Command> to = replicas.get(e.to());
          if (to != null) to.tell(e.message());
          return Behaviors.same();
        })
        .build(), "net");
    ReplicaSettings settings = ReplicaSettings.fromConfig(kit.system().settings().config().getConfig("chronik.raft"));
    for (String id : REPLICAS) {
      replicas.put(id, kit.spawn(Replica.create(settings, new GroupMembers(GROUP, id, Set.copyOf(REPLICAS)), net::tell,
          factory(id), KeyValueStateMachine::new, ReplicaLatency.unexported(), new Random(id.hashCode())), "replica-" + id));
    }
    String leader = awaitLeader(replicas);
    String full = REPLICAS.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();

    diskFull(full, true);
    for (int i = 1; i <= 20; i++) propose(replicas, "k" + i);
    TestProbe<Object> await = kit.createTestProbe();
    await.awaitAssert(Duration.ofSeconds(30), () -> {
      assertTrue(failedWrites(full) >= 2, "replica " + full + "'s storage failed a write, restarted and failed "
          + "again: " + failedWrites(full) + " failed writes so far");
      return null;
    });
    propose(replicas, "while-full"); // the other two commit all along

    diskFull(full, false);
    await.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
      Status l = status(replicas.get(leader));
      Status f = status(replicas.get(full));
      assertEquals(l.lastIndex(), f.lastIndex(), "replica " + full + " caught up with leader " + leader + ": " + f);
      assertEquals(l.lastIndex(), f.commitIndex(), "and knows it committed: " + f);
      assertEquals(f.commitIndex(), f.appliedIndex(), "and applied it: " + f);
      return null;
    });
    propose(replicas, "after"); // and takes writes again with the others
    await.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      long last = status(replicas.get(leader)).lastIndex();
      for (String id : REPLICAS) assertEquals(last, status(replicas.get(id)).commitIndex(), "replica " + id);
      return null;
    });

    for (String id : REPLICAS) if (!id.equals(leader)) kit.stop(replicas.remove(id)); // followers first: no new leader, no new entry
    kit.stop(replicas.remove(leader));
    List<LogEntry> leaderLog = recover(kit.spawn(storage(leader))).entries();
    assertTrue(leaderLog.size() >= 23, "the no-op and 22 writes: " + leaderLog.size());
    for (String id : REPLICAS) {
      assertEquals(leaderLog, recover(kit.spawn(storage(id))).entries(),
          "replica " + id + " holds the same entries at the same indexes as leader " + leader);
    }
  }

  private Status status(ActorRef<Command> replica) {
    TestProbe<Status> probe = kit.createTestProbe(); // a new one each time: a recovering replica answers late
    replica.tell(new GetStatus(probe.ref().unsafeUpcast()));
    return probe.receiveMessage(Duration.ofSeconds(2));
  }

  private String awaitLeader(Map<String, ActorRef<Command>> replicas) {
    TestProbe<Object> await = kit.createTestProbe();
    return await.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      for (String id : REPLICAS) {
        Status s = status(replicas.get(id));
        if (s.role().equals("leader")) return id;
      }
      throw new AssertionError("no leader of " + GROUP + " yet");
    });
  }

  /** Proposes until the current leader commits it (a leadership change in between is retried). */
  private void propose(Map<String, ActorRef<Command>> replicas, String key) {
    TestProbe<Object> await = kit.createTestProbe();
    await.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
      TestProbe<ProposeReply> reply = kit.createTestProbe();
      replicas.get(awaitLeader(replicas)).tell(new Propose(KeyValueStateMachine.put(key, ByteString.copyFromUtf8(key)), reply.ref()));
      assertInstanceOf(Proposed.class, reply.receiveMessage(Duration.ofSeconds(5)), "write " + key);
      return null;
    });
  }

  /** Every message {@code probe} receives within {@code window} (none: an empty list). */
  private static List<Command> heardWithin(TestProbe<Command> probe, Duration window) {
    List<Command> heard = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + window.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return heard;
      try {
        heard.add(probe.receiveMessage(Duration.ofNanos(left)));
      } catch (AssertionError timedOut) {
        return heard;
      }
    }
  }
}
