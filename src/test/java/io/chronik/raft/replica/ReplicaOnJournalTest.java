package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.chronik.raft.replica.ClientProtocol.OutcomeUnknown;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.QueryResult;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import io.chronik.raft.statemachine.proto.RecordLogAppendResult;
import io.chronik.raft.statemachine.proto.RecordLogReadResult;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import static org.junit.jupiter.api.Assertions.assertFalse;
import io.chronik.raft.storage.JournalStorage;
import java.time.Duration;
import java.util.Random;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * L1: the replica with its real storage actor on the PersistenceTestKit journal, on ManualTime.
 * Also issue 19 item 1: a state machine whose disk fails (it throws, per the StateMachine contract)
 * must never make its replica skip the entry, answer a false success, or give later records other
 * offsets than its peers'; the replica halts, shows the fault, and once the disk works again
 * recovers from its journal and applies the entry for real.
 */
class ReplicaOnJournalTest {
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
  private String group;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    journal.clearAll();
    journal.resetPolicy();
    group = "g" + groups.incrementAndGet();
  }

  private ActorRef<Command> spawn(String self, Set<String> voters) {
    return spawn(SETTINGS, self, voters);
  }

  private ActorRef<Command> spawn(ReplicaSettings settings, String self, Set<String> voters) {
    return testKit.spawn(Replica.create(settings, new GroupMembers(group, self, voters), net.ref()::tell,
        JournalStorage.factory(group + "/" + self, PersistenceTestKitPlugin.PluginId(),
            java.nio.file.Path.of("target", "snapshots", "replica-on-journal", RUN, group, self)),
        KeyValueStateMachine::new, ReplicaLatency.unexported(), new Random(7)));
  }

  /** Answered only once recovery is over (the recovering behaviour stashes it). */
  private Status status(ActorRef<Command> replica) {
    TestProbe<Status> probe = testKit.createTestProbe();
    replica.tell(new GetStatus(probe.ref().unsafeUpcast()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  private ProposeReply propose(ActorRef<Command> replica, ByteString command) {
    TestProbe<ProposeReply> probe = testKit.createTestProbe();
    replica.tell(new Propose(command, probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  private ActorRef<Command> singleVoterLeader() {
    return singleVoterLeader(SETTINGS);
  }

  private ActorRef<Command> singleVoterLeader(ReplicaSettings settings) {
    ActorRef<Command> a = spawn(settings, "a", Set.of("a"));
    status(a);
    time.timePasses(Duration.ofMillis(600)); // past the longest randomized election timeout
    TestProbe<Status> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      a.tell(new GetStatus(probe.ref().unsafeUpcast()));
      assertEquals("leader", probe.receiveMessage().role(), "single voter elects itself");
      return null;
    });
    return a;
  }

  @Test
  void snapshotsDeleteTheEventsTheyCoverAndARestartStartsFromTheLatest() {
    ReplicaSettings settings = SETTINGS.withSnapshots(new ReplicaSettings.Snapshots(10, 1 << 20, 2, 1024));
    ActorRef<Command> a = singleVoterLeader(settings);
    for (int i = 1; i <= 45; i++) {
      assertInstanceOf(Proposed.class, propose(a, KeyValueStateMachine.put("k" + (i % 7), ByteString.copyFromUtf8("v" + i))));
    }
    String pid = group + "/a";
    java.nio.file.Path dir = java.nio.file.Path.of("target", "snapshots", "replica-on-journal", RUN, group, "a");
    TestProbe<Object> await = testKit.createTestProbe();
    await.awaitAssert(Duration.ofSeconds(5), () -> {
      try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
        assertEquals(1, files.filter(f -> f.toString().endsWith(".snap")).count(), "only the latest snapshot is kept");
      }
      // 46 writes (the no-op and 45 puts) in as many events; those the last snapshot covers are gone
      int events = journal.persistedInStorage(pid).size();
      assertTrue(events < 15, "the journal still holds " + events + " events");
      return null;
    });
    Status before = status(a);
    testKit.stop(a);
    ActorRef<Command> again = spawn(settings, "a", Set.of("a"));
    Status after = status(again);
    assertEquals(before.term(), after.term());
    assertEquals(before.lastIndex(), after.lastIndex(), "snapshot + the events after it = the whole log");
    // the snapshot is cut at whatever index was applied when 10 more had accumulated (38, 40, ...),
    // and the journal keeps fewer than 15 events after it
    assertTrue(after.appliedIndex() >= 10 && after.appliedIndex() >= after.lastIndex() - 15,
        "restored from the snapshot, applied " + after.appliedIndex() + " of " + after.lastIndex());
    time.timePasses(Duration.ofMillis(600)); // elected again, it commits the entries after the snapshot
    TestProbe<Status> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      again.tell(new GetStatus(probe.ref().unsafeUpcast()));
      Status s = probe.receiveMessage();
      assertEquals(s.lastIndex(), s.appliedIndex(), "caught up: " + s);
      return null;
    });
    TestProbe<ClientProtocol.QueryReply> q = testKit.createTestProbe();
    again.tell(new LocalQuery(KeyValueStateMachine.get("k3"), q.ref()));
    QueryResult r = assertInstanceOf(QueryResult.class, q.receiveMessage());
    assertEquals("v45", KeyValueStateMachine.result(r.result()).getValue().toStringUtf8());
  }

  @Test
  void theElectionTimerFiresOnlyAfterTheElectionTimeout() {
    ActorRef<Command> a = spawn("a", Set.of("a", "b", "c"));
    status(a); // recovered: the election timer is running
    time.expectNoMessageFor(Duration.ofMillis(299), net);
    time.timePasses(Duration.ofMillis(301));
    Envelope first = net.receiveMessage();
    Envelope second = net.receiveMessage();
    assertEquals(Set.of("b", "c"), Set.of(first.to(), second.to()));
    RequestVote rv = assertInstanceOf(RequestVote.class, first.message());
    assertTrue(rv.preVote(), "PreVote first: nobody's term changes yet");
    assertEquals(1, rv.term());
    assertEquals(0, status(a).term());
  }

  @Test
  void aLeaderSendsHeartbeatsEveryInterval() {
    ActorRef<Command> a = spawn("a", Set.of("a", "b", "c"));
    status(a);
    time.timePasses(Duration.ofMillis(600));
    net.receiveMessage();
    net.receiveMessage(); // pre-votes
    a.tell(Messages.voteResponse("b", 1).group(group).granted().preVote().build());
    net.receiveMessage(); // the real RequestVotes, after the self-vote was persisted
    net.receiveMessage();
    a.tell(Messages.voteResponse("b", 1).group(group).granted().build());
    net.receiveMessage(); // the no-op to b and c
    net.receiveMessage();
    assertEquals("leader", status(a).role());
    time.expectNoMessageFor(Duration.ofMillis(49), net);
    time.timePasses(Duration.ofMillis(1));
    AppendEntries heartbeat = assertInstanceOf(AppendEntries.class, net.receiveMessage().message());
    assertEquals(1, heartbeat.term());
  }

  @Test
  void aReplicaRestartedFromItsJournalKeepsTermVoteAndLog() {
    ActorRef<Command> b = spawn("b", Set.of("a", "b", "c"));
    b.tell(Messages.vote("a", 5).group(group).build());
    assertEquals(Messages.voteResponse("b", 5).group(group).granted().build(), net.receiveMessage().message());
    b.tell(Messages.append("a", 5).group(group)
        .entries(List.of(io.chronik.raft.rpc.LogEntry.newBuilder().setIndex(1).setTerm(5).build())).build());
    assertInstanceOf(AppendEntriesResponse.class, net.receiveMessage().message());
    testKit.stop(b);

    ActorRef<Command> restarted = spawn("b", Set.of("a", "b", "c"));
    Status s = status(restarted);
    assertEquals(5, s.term());
    assertEquals(1, s.lastIndex());
    restarted.tell(Messages.vote("c", 5).group(group).last(9, 5).build());
    assertEquals(Messages.voteResponse("b", 5).group(group).refused().build(), net.receiveMessage().message(),
        "the vote for a in term 5 survived the restart");
  }

  @Test
  void aReplicaRestartedFromItsJournalUsesTheJointConfigurationOfItsLogNotTheFiles() {
    ActorRef<Command> b = spawn("b", Set.of("a", "b", "c"));
    io.chronik.raft.core.Configuration joint = io.chronik.raft.core.Configuration.legacy(Set.of("a", "b", "c"))
        .withLearner("d", "s-d").enterJoint(Set.of("a", "b", "d/1"), true);
    b.tell(Messages.append("a", 5).group(group).entries(List.of(
        io.chronik.raft.rpc.LogEntry.newBuilder().setIndex(1).setTerm(5)
            .setKind(io.chronik.raft.rpc.EntryKind.ENTRY_KIND_CONFIG).setCommand(joint.toProto().toByteString())
            .build())).build());
    assertInstanceOf(AppendEntriesResponse.class, net.receiveMessage().message());
    testKit.stop(b);

    ActorRef<Command> restarted = spawn("b", Set.of("a", "b", "c"));
    assertEquals(1, status(restarted).lastIndex());
    time.timePasses(Duration.ofMillis(700)); // past the longest randomized election timeout
    Set<String> asked = new java.util.TreeSet<>();
    for (int i = 0; i < 3; i++) {
      Envelope e = net.receiveMessage(Duration.ofSeconds(5));
      assertInstanceOf(RequestVote.class, e.message());
      asked.add(e.to());
    }
    assertEquals(Set.of("a", "c", "d/1"), asked, "the voters of both halves of the logged joint configuration");
    net.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aConfigurationCompactedIntoASnapshotSurvivesARestart() {
    ReplicaSettings settings = SETTINGS.withSnapshots(new ReplicaSettings.Snapshots(10, 1 << 20, 2, 1024));
    ActorRef<Command> a = singleVoterLeader(settings);
    TestProbe<ReplicaControl.ChangeConfigReply> change = testKit.createTestProbe();
    // Refused (retryably) until the leader's no-op commits, which waits for its storage: asked
    // again every 20 ms for up to 10 s (50 back-to-back attempts ran out on a loaded machine).
    ReplicaControl.ConfigChanged changed = change.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(20), () -> {
      a.tell(new ReplicaControl.ChangeConfig(new io.chronik.raft.core.ChangeRequest.AddLearner("b", "s-b"),
          change.ref()));
      return assertInstanceOf(ReplicaControl.ConfigChanged.class, change.receiveMessage(Duration.ofSeconds(5)));
    });
    io.chronik.raft.core.Configuration withLearner = changed.config();
    assertEquals(Set.of("b/1"), withLearner.learners());
    for (int i = 1; i <= 30; i++) {
      assertInstanceOf(Proposed.class, propose(a, KeyValueStateMachine.put("k" + i, ByteString.copyFromUtf8("v"))));
    }
    TestProbe<Status> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      a.tell(new GetStatus(probe.ref().unsafeUpcast()));
      Status s = probe.receiveMessage();
      assertTrue(s.snapshotIndex() > changed.index() + 2, "a snapshot compacted the configuration entry: " + s);
      return null;
    });
    testKit.stop(a);
    Status after = status(spawn(settings, "a", Set.of("a")));
    assertEquals(Optional.of(withLearner), after.config(), "the snapshot's configuration, not the files' " + Set.of("a"));
    assertEquals(changed.index(), after.configIndex());
  }

  @Test
  void aJournalFailureNeverAcknowledgesAndTheReplicaRecovers() {
    ActorRef<Command> a = singleVoterLeader();
    Proposed first = assertInstanceOf(Proposed.class, propose(a, KeyValueStateMachine.put("k", ByteString.copyFromUtf8("1"))));
    assertEquals(2, first.index(), "index 1 is the leader's no-op");

    journal.failNextPersisted();
    ProposeReply failed = propose(a, KeyValueStateMachine.put("k", ByteString.copyFromUtf8("2")));
    assertInstanceOf(OutcomeUnknown.class, failed, "the write failed: no acknowledgement");

    // Storage restarts after the backoff, the replica recovers and elects itself again.
    TestProbe<ProposeReply> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      time.timePasses(Duration.ofMillis(700));
      a.tell(new Propose(KeyValueStateMachine.put("k", ByteString.copyFromUtf8("3")), probe.ref()));
      assertInstanceOf(Proposed.class, probe.receiveMessage(Duration.ofMillis(500)), "recovered and leading again");
      return null;
    });
    TestProbe<QueryResult> query = testKit.createTestProbe();
    a.tell(new LocalQuery(KeyValueStateMachine.get("k"), query.ref().unsafeUpcast()));
    assertEquals(ByteString.copyFromUtf8("3"),
        KeyValueStateMachine.result(query.receiveMessage().result()).getValue());
  }

  // ---------------------------------------------------------------- issue 19 item 1: a state machine's disk fails

  /** The disk under every instance of the flaky-disk tests' state machine: full while set. */
  private final AtomicBoolean diskFull = new AtomicBoolean();

  /** A single-voter leader whose record log is {@link OnAFlakyDisk}. */
  private ActorRef<Command> leaderOnAFlakyDisk() {
    ActorRef<Command> a = testKit.spawn(Replica.create(SETTINGS, new GroupMembers(group, "a", Set.of("a")), net.ref()::tell,
        JournalStorage.factory(group + "/a", PersistenceTestKitPlugin.PluginId(),
            java.nio.file.Path.of("target", "snapshots", "replica-on-journal", RUN, group, "a")),
        () -> new OnAFlakyDisk(diskFull), ReplicaLatency.unexported(), new Random(7)));
    awaitRole(a, "leader", Duration.ofMillis(600));
    return a;
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

  private ProposeReply appendRecords(ActorRef<Command> replica, String... records) {
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
    ActorRef<Command> a = leaderOnAFlakyDisk();
    assertEquals(0, firstOffset(appendRecords(a, "a")));

    diskFull.set(true);
    ProposeReply whileFull = appendRecords(a, "b");
    assertFalse(whileFull instanceof Proposed, "no success for a batch this replica could not write: " + whileFull);
    Status faulted = status(a);
    assertEquals(Status.FAULTED, faulted.role(), "status shows the fault: " + faulted);
    assertTrue(faulted.fault().contains("No space left on device") && faulted.fault().contains("entry 3"),
        "the fault names the entry and the cause: " + faulted.fault());
    assertEquals(2, faulted.appliedIndex(), "the entry that failed was not counted as applied");

    diskFull.set(false);
    awaitRole(a, "leader", Duration.ofMillis(100));
    assertEquals(2, firstOffset(appendRecords(a, "c")), "b was applied at offset 1 after the recovery, so c is at 2");
    assertEquals(List.of("a", "b", "c"), records(a), "every committed batch once, in log order");
  }

  @Test
  void aDiskThatStaysFullIsRetriedWithGrowingWaitsAndNeverSkipsTheEntry() {
    ActorRef<Command> a = leaderOnAFlakyDisk();
    assertEquals(0, firstOffset(appendRecords(a, "a")));
    diskFull.set(true);
    assertFalse(appendRecords(a, "b") instanceof Proposed);
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
    assertEquals(2, firstOffset(appendRecords(a, "c")));
    assertEquals(List.of("a", "b", "c"), records(a));
  }
}
