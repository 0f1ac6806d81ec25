package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.LocalQuery;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.QueryResult;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.statemachine.RecordLogStateMachine;
import io.chronik.raft.statemachine.StateMachine;
import io.chronik.raft.statemachine.StateSnapshot;
import io.chronik.raft.statemachine.proto.RecordLogAppendResult;
import io.chronik.raft.statemachine.proto.RecordLogReadResult;
import io.chronik.raft.storage.JournalStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19 item 1: a state machine whose disk fails (it throws, per the {@link StateMachine}
 * contract) must never make its replica skip the entry, answer a false success, or give later
 * records other offsets than its peers'. The replica halts, shows the fault, and once the disk
 * works again recovers from its journal and applies the entry for real. L1: the real replica and
 * storage actor on the PersistenceTestKit journal, on ManualTime.
 */
class StateMachineFaultTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config()
      .withFallback(PersistenceTestKitPlugin.getInstance().config())
      .withFallback(ActorTestKit.applicationTestConfig()));
  private static final ManualTime time = ManualTime.get(testKit.system());
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  /** Snapshot files of this run only: ids restart at 1 in every run, and a previous run's files would be read. */
  private static final String RUN = java.util.UUID.randomUUID().toString();
  private static final AtomicInteger groups = new AtomicInteger();
  private static final ReplicaSettings SETTINGS = new ReplicaSettings(Duration.ofMillis(300), Duration.ofMillis(50),
      1024, 4096, 16, 4, true, true, 100, Duration.ofMillis(100), Duration.ofSeconds(5), ReadPolicy.SAFE, 10_000);

  private final TestProbe<Envelope> net = testKit.createTestProbe();
  /** The disk under every instance of this test's state machine: full while set. */
  private final AtomicBoolean diskFull = new AtomicBoolean();
  private String group;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    journal.clearAll();
    journal.resetPolicy();
    group = "fault" + groups.incrementAndGet();
  }

  /** A record log whose appends fail like a full disk's while {@code full} is set. */
  private static final class OnAFlakyDisk implements StateMachine {
    private final RecordLogStateMachine records = new RecordLogStateMachine();
    private final AtomicBoolean full;

    OnAFlakyDisk(AtomicBoolean full) {
      this.full = full;
    }

    @Override
    public ByteString apply(long index, ByteString command) {
      if (full.get()) {
        throw new UncheckedIOException("cannot write records to /data/records/node-3/orders-0",
            new IOException("No space left on device"));
      }
      return records.apply(index, command);
    }

    @Override
    public ByteString query(ByteString query) {
      return records.query(query);
    }

    @Override
    public StateSnapshot snapshot() {
      return records.snapshot();
    }

    @Override
    public void restore(InputStream in) throws IOException {
      records.restore(in);
    }

    @Override
    public SnapshotData transferable(SnapshotData stored) throws IOException {
      return records.transferable(stored);
    }

    @Override
    public Map<String, Long> describe() {
      return records.describe();
    }
  }

  private ActorRef<Command> leader() {
    ActorRef<Command> a = testKit.spawn(Replica.create(SETTINGS, new GroupMembers(group, "a", Set.of("a")), net.ref(),
        JournalStorage.factory(group + "/a", PersistenceTestKitPlugin.PluginId(),
            java.nio.file.Path.of("target", "snapshots", "state-machine-fault", RUN, group, "a")),
        () -> new OnAFlakyDisk(diskFull), ReadLatency.unexported(), new Random(7)));
    awaitRole(a, "leader", Duration.ofMillis(600));
    return a;
  }

  private Status status(ActorRef<Command> replica) {
    TestProbe<Status> probe = testKit.createTestProbe();
    replica.tell(new GetStatus(probe.ref().unsafeUpcast()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  /** Lets time pass in steps of {@code step} until the replica has {@code role}. */
  private Status awaitRole(ActorRef<Command> replica, String role, Duration step) {
    TestProbe<Status> probe = testKit.createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
      time.timePasses(step);
      replica.tell(new GetStatus(probe.ref().unsafeUpcast()));
      Status s = probe.receiveMessage(Duration.ofSeconds(1));
      assertEquals(role, s.role(), "role of " + s);
      return s;
    });
  }

  private ProposeReply append(ActorRef<Command> replica, String... records) {
    TestProbe<ProposeReply> probe = testKit.createTestProbe();
    replica.tell(new Propose(RecordLogStateMachine.append(
        java.util.Arrays.stream(records).map(ByteString::copyFromUtf8).toList()), probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  private static long firstOffset(ProposeReply reply) {
    RecordLogAppendResult r = RecordLogStateMachine.appendResult(assertInstanceOf(Proposed.class, reply).result());
    assertEquals("", r.getError());
    return r.getFirstOffset();
  }

  private List<String> records(ActorRef<Command> replica) {
    TestProbe<ClientProtocol.QueryReply> probe = testKit.createTestProbe();
    replica.tell(new LocalQuery(RecordLogStateMachine.read(0, 100, 1 << 20), probe.ref()));
    RecordLogReadResult r = RecordLogStateMachine.readResult(
        assertInstanceOf(QueryResult.class, probe.receiveMessage(Duration.ofSeconds(5))).result());
    return r.getRecordsList().stream().map(ByteString::toStringUtf8).toList();
  }

  @Test
  void aStateMachineWhoseDiskFillsNeitherAnswersSuccessNorSkipsTheEntry() {
    ActorRef<Command> a = leader();
    assertEquals(0, firstOffset(append(a, "a")));

    diskFull.set(true);
    ProposeReply whileFull = append(a, "b");
    assertFalse(whileFull instanceof Proposed, "no success for a batch this replica could not write: " + whileFull);
    Status faulted = status(a);
    assertEquals(Status.FAULTED, faulted.role(), "status shows the fault: " + faulted);
    assertTrue(faulted.fault().contains("No space left on device") && faulted.fault().contains("entry 3"),
        "the fault names the entry and the cause: " + faulted.fault());
    assertEquals(2, faulted.appliedIndex(), "the entry that failed was not counted as applied");

    diskFull.set(false);
    awaitRole(a, "leader", Duration.ofMillis(100));
    assertEquals(2, firstOffset(append(a, "c")), "b was applied at offset 1 after the recovery, so c is at 2");
    assertEquals(List.of("a", "b", "c"), records(a), "every committed batch once, in log order");
  }

  @Test
  void aDiskThatStaysFullIsRetriedWithGrowingWaitsAndNeverSkipsTheEntry() {
    ActorRef<Command> a = leader();
    assertEquals(0, firstOffset(append(a, "a")));
    diskFull.set(true);
    assertFalse(append(a, "b") instanceof Proposed);
    // Each retry recovers, is elected again (one voter) and fails on entry 3 again.
    TestProbe<Status> probe = testKit.createTestProbe();
    Status third = probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
      time.timePasses(Duration.ofMillis(100));
      a.tell(new GetStatus(probe.ref().unsafeUpcast()));
      Status s = probe.receiveMessage(Duration.ofSeconds(1));
      assertTrue(s.fault().contains("failure 3 in a row"), "third failure: " + s);
      return s;
    });
    // Each recovery starts from the journal (no snapshot yet) and fails at the first record it
    // writes again: never past the entry that failed first.
    assertTrue(third.appliedIndex() <= 2, "never applied past the failing entry: " + third);
    assertTrue(third.fault().contains("recovering from disk in 400ms"), "100, 200, 400 ms: " + third.fault());
    diskFull.set(false);
    awaitRole(a, "leader", Duration.ofMillis(100));
    assertEquals(2, firstOffset(append(a, "c")));
    assertEquals(List.of("a", "b", "c"), records(a));
  }
}
