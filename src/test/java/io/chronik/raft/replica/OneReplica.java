package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import akka.actor.testkit.typed.javadsl.BehaviorTestKit;
import akka.actor.testkit.typed.javadsl.TestInbox;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.Recovered;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/** One replica under {@link BehaviorTestKit}; the test plays its peers and its storage by hand. */
final class OneReplica {
  /** The follower's ReadIndex pipeline depth these tests run with (deeper than the default, to exercise it). */
  static final int PIPELINE = 4;

  final BehaviorTestKit<Command> kit;
  final TestInbox<Envelope> net = TestInbox.create();
  final TestInbox<StorageCommand> storage = TestInbox.create();

  OneReplica(String self, Set<String> voters, HardState hardState, List<LogEntry> log) {
    this(self, voters, hardState, log, 1);
  }

  /** {@code seed}: the replica's randomness; a restarted node's incarnation draws other numbers than the one before. */
  OneReplica(String self, Set<String> voters, HardState hardState, List<LogEntry> log, long seed) {
    this(self, voters, hardState, log, seed, ReplicaLatency.unexported());
  }

  /** {@code latency}: where the replica records how long its reads took. */
  OneReplica(String self, Set<String> voters, HardState hardState, List<LogEntry> log, long seed, ReplicaLatency latency) {
    this(self, voters, hardState, log, seed, latency, settings());
  }

  /** {@code settings}: other than {@link #settings()}, e.g. with snapshot thresholds of a few entries. */
  OneReplica(String self, Set<String> voters, HardState hardState, List<LogEntry> log, ReplicaSettings settings) {
    this(self, voters, hardState, log, 1, ReplicaLatency.unexported(), settings);
  }

  OneReplica(String self, Set<String> voters, HardState hardState, List<LogEntry> log, long seed,
      ReplicaLatency latency, ReplicaSettings settings) {
    this(self, voters, hardState, Optional.empty(), log, seed, latency, settings);
  }

  /** {@code snapshot}: the log's compacted prefix, as storage recovers it; {@code log}: the entries after it. */
  OneReplica(String self, Set<String> voters, HardState hardState, Optional<SnapshotData> snapshot, List<LogEntry> log,
      ReplicaSettings settings) {
    this(self, voters, hardState, snapshot, log, 1, ReplicaLatency.unexported(), settings);
  }

  private OneReplica(String self, Set<String> voters, HardState hardState, Optional<SnapshotData> snapshot,
      List<LogEntry> log, long seed, ReplicaLatency latency, ReplicaSettings settings) {
    kit = BehaviorTestKit.create(Replica.create(settings, new GroupMembers("g", self, voters), net.getRef()::tell,
        (ctx, incarnation) -> storage.getRef(), KeyValueStateMachine::new, latency, new Random(seed)));
    assertInstanceOf(StorageProtocol.Recover.class, storage.receiveMessage());
    kit.run(new Recovered(hardState, snapshot, log));
  }

  /** The settings these tests run with. */
  static ReplicaSettings settings() {
    return new ReplicaSettings(Duration.ofMillis(300), Duration.ofMillis(50), 64, 4096, 16, 4,
        true, true, 100, Duration.ofMillis(100), Duration.ofSeconds(5), ReadPolicy.SAFE, 10_000)
        .withReadIndexPipeline(PIPELINE);
  }

  /** Completes every write the replica has issued, in order, and returns them. */
  List<Persist> persistAll() {
    List<Persist> done = new ArrayList<>();
    while (storage.hasMessages()) {
      Persist p = (Persist) storage.receiveMessage();
      done.add(p);
      kit.run(new Persisted(p.writeId()));
    }
    return done;
  }

  List<RaftMessage> sent() {
    return net.getAllReceived().stream().map(Envelope::message).toList();
  }

  Status status() {
    TestInbox<Status> probe = TestInbox.create();
    kit.run(new GetStatus(probe.getRef().unsafeUpcast()));
    return probe.receiveMessage();
  }

  TestInbox<ReadProtocol.ReadReply> read(ReadPolicy policy, long minIndex) {
    TestInbox<ReadProtocol.ReadReply> inbox = arrive(policy, minIndex);
    runSelfMessages();
    return inbox;
  }

  /**
   * A read arrives and nothing after it in the mailbox has run yet: the replica's own messages
   * (the ReadIndex request it queued behind the read) wait for {@link #runSelfMessages}.
   */
  TestInbox<ReadProtocol.ReadReply> arrive(ReadPolicy policy, long minIndex) {
    TestInbox<ReadProtocol.ReadReply> inbox = TestInbox.create();
    kit.run(new ReadProtocol.Read(io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine.get("k"),
        java.util.Optional.of(policy), minIndex, inbox.getRef()));
    return inbox;
  }

  /** Runs what the replica told itself, as its mailbox would after the messages before them. */
  void runSelfMessages() {
    while (kit.selfInbox().hasMessages()) kit.runOne();
  }

  ReplicaMetrics.Snapshot metrics() {
    TestInbox<ReplicaMetrics.Snapshot> probe = TestInbox.create();
    kit.run(new ReadProtocol.GetReplicaMetrics(probe.getRef()));
    return probe.receiveMessage();
  }

  /** Fires every read timeout the replica has scheduled so far. */
  int fireReadTimeouts() {
    int fired = 0;
    for (akka.actor.testkit.typed.Effect e : kit.getAllEffects()) {
      if (e instanceof akka.actor.testkit.typed.Effect.TimerScheduled<?> t && t.msg() instanceof Reads.ReadTimedOut m) {
        kit.run(m);
        fired++;
      }
    }
    return fired;
  }

  void campaignAndWin(List<String> voters) {
    kit.run(Replica.ElectionTimeout.INSTANCE); // pre-candidate
    persistAll();
    long next = status().term() + 1;
    for (String v : voters) kit.run(Messages.voteResponse(v, next).granted().preVote().build());
    persistAll(); // term + self-vote
    for (String v : voters) kit.run(Messages.voteResponse(v, next).granted().build());
    assertEquals("leader", status().role());
  }
}
