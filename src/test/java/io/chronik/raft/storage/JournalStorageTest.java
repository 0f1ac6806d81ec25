package io.chronik.raft.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.Command;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.Recover;
import io.chronik.raft.replica.StorageProtocol.Recovered;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** L1: the real storage actor on the in-memory PersistenceTestKit journal, with injected faults. */
class JournalStorageTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      PersistenceTestKitPlugin.getInstance().config().withFallback(ActorTestKit.applicationTestConfig()));
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  /** Snapshot files of this run only: ids restart at 1 in every run, and a previous run's files would be read. */
  private static final String RUN = java.util.UUID.randomUUID().toString();
  private static final AtomicInteger ids = new AtomicInteger();
  private final TestProbe<Command> replica = testKit.createTestProbe();
  private String persistenceId;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    journal.clearAll();
    journal.resetPolicy();
    persistenceId = "replica-" + ids.incrementAndGet();
  }

  private static LogEntry entry(long index, long term) {
    return LogEntry.newBuilder().setIndex(index).setTerm(term).setCommand(ByteString.copyFromUtf8("e" + index)).build();
  }

  private static HardState hs(long term, String vote) {
    return HardState.newBuilder().setTerm(term).setVotedFor(vote).build();
  }

  private ActorRef<StorageCommand> start() {
    return testKit.spawn(JournalStorage.create(persistenceId, PersistenceTestKitPlugin.PluginId(),
        java.nio.file.Path.of("target", "snapshots", "journal-storage-test", RUN, persistenceId)));
  }

  private Recovered recover(ActorRef<StorageCommand> storage) {
    storage.tell(new Recover(replica.ref()));
    return replica.expectMessageClass(Recovered.class);
  }

  private void write(ActorRef<StorageCommand> storage, long id, Optional<HardState> hs, long truncateFrom,
      List<LogEntry> entries) {
    storage.tell(new Persist(id, hs, truncateFrom, entries, replica.ref()));
    assertEquals(new Persisted(id), replica.receiveMessage());
  }

  /** Restart = stop the actor and start a new one on the same journal. */
  private Recovered restart(ActorRef<StorageCommand> storage) {
    testKit.stop(storage);
    return recover(start());
  }

  @Test
  void aFreshReplicaRecoversNothing() {
    Recovered r = recover(start());
    assertEquals(HardState.getDefaultInstance(), r.hardState());
    assertEquals(List.of(), r.entries());
  }

  @Test
  void restartAfterAHardStateWriteKeepsTermAndVote() {
    ActorRef<StorageCommand> s = start();
    recover(s);
    write(s, 1, Optional.of(hs(7, "b")), 0, List.of());
    assertEquals(hs(7, "b"), restart(s).hardState());
  }

  @Test
  void restartAfterAppendsKeepsTheLog() {
    ActorRef<StorageCommand> s = start();
    recover(s);
    write(s, 1, Optional.empty(), 0, List.of(entry(1, 1), entry(2, 1)));
    write(s, 2, Optional.empty(), 0, List.of(entry(3, 2)));
    assertEquals(List.of(entry(1, 1), entry(2, 1), entry(3, 2)), restart(s).entries());
  }

  @Test
  void suffixTruncationThenRestartKeepsOnlyThePrefixAndWhatFollowed() {
    ActorRef<StorageCommand> s = start();
    recover(s);
    write(s, 1, Optional.of(hs(2, "a")), 0, List.of(entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2)));
    write(s, 2, Optional.of(hs(3, "")), 3, List.of(entry(3, 3)));
    Recovered r = restart(s);
    assertEquals(hs(3, ""), r.hardState());
    assertEquals(List.of(entry(1, 1), entry(2, 1), entry(3, 3)), r.entries());
  }

  @Test
  void aTruncationWithNothingAfterItIsDurableToo() {
    ActorRef<StorageCommand> s = start();
    recover(s);
    write(s, 1, Optional.empty(), 0, List.of(entry(1, 1), entry(2, 1)));
    write(s, 2, Optional.empty(), 2, List.of());
    assertEquals(List.of(entry(1, 1)), restart(s).entries());
  }

  @Test
  void aFailedWriteStopsStorageWithoutAcknowledgingAndLeavesNoTrace() {
    ActorRef<StorageCommand> s = start();
    recover(s);
    write(s, 1, Optional.empty(), 0, List.of(entry(1, 1)));
    journal.failNextPersisted();
    s.tell(new Persist(2, Optional.empty(), 0, List.of(entry(2, 1)), replica.ref()));
    replica.expectTerminated(s, Duration.ofSeconds(3));
    replica.expectNoMessage(Duration.ofMillis(100));
    assertEquals(List.of(entry(1, 1)), recover(start()).entries());
  }

  @Test
  void aRejectedWriteStopsStorageWithoutAcknowledging() {
    ActorRef<StorageCommand> s = start();
    recover(s);
    journal.rejectNextPersisted();
    s.tell(new Persist(1, Optional.of(hs(4, "c")), 0, List.of(entry(1, 4)), replica.ref()));
    replica.expectTerminated(s, Duration.ofSeconds(3));
    replica.expectNoMessage(Duration.ofMillis(100));
    Recovered r = recover(start());
    assertEquals(HardState.getDefaultInstance(), r.hardState());
    assertEquals(List.of(), r.entries());
  }
}
