package io.chronik.raft.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.LocalQuery;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.QueryResult;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.Command;
import io.chronik.raft.replica.GroupMembers;
import io.chronik.raft.replica.ReplicaLatency;
import io.chronik.raft.replica.Replica;
import io.chronik.raft.replica.ReplicaSettings;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** L1: a replica restarts on the real default journal (embedded LevelDB, fsync on) and keeps everything. */
class LevelDbRestartTest {
  private static final String JOURNAL = "chronik.journal.leveldb";

  private static ActorRef<Command> spawnReplica(ActorTestKit kit) {
    ReplicaSettings settings = ReplicaSettings.fromConfig(kit.system().settings().config().getConfig("chronik.raft"));
    return kit.spawn(Replica.create(settings, new GroupMembers("kv-0", "a", Set.of("a")),
        kit.<io.chronik.raft.replica.Envelope>createTestProbe().ref()::tell,
        JournalStorage.factory("kv-0/a", JOURNAL, Path.of(kit.system().settings().config().getString(
            "chronik.journal.leveldb.dir")).resolveSibling("snapshots")), KeyValueStateMachine::new, ReplicaLatency.unexported(), new Random()));
  }

  private static Status awaitLeader(ActorTestKit kit, ActorRef<Command> replica) {
    TestProbe<Status> probe = kit.createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(15), () -> {
      replica.tell(new GetStatus(probe.ref().unsafeUpcast()));
      Status s = probe.receiveMessage();
      assertEquals("leader", s.role(), "replica did not become leader: " + s);
      assertEquals(s.lastIndex(), s.appliedIndex(), "not caught up yet: " + s);
      return s;
    });
  }

  @Test
  void aReplicaRestartedOnTheDefaultJournalKeepsItsTermLogAndState() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "leveldb-restart-");
    Config config = ConfigFactory.parseString(
            "chronik.journal.leveldb.dir = \"" + dir.toAbsolutePath().toString().replace("\\", "/") + "\"\n"
                + "chronik.raft.election-timeout = 200ms\nchronik.raft.heartbeat-interval = 50ms")
        .withFallback(ConfigFactory.load());

    ActorTestKit first = ActorTestKit.create("first", config);
    Status before;
    try {
      ActorRef<Command> a = spawnReplica(first);
      awaitLeader(first, a);
      TestProbe<ProposeReply> probe = first.createTestProbe();
      for (int i = 1; i <= 5; i++) {
        a.tell(new Propose(KeyValueStateMachine.put("k" + i, ByteString.copyFromUtf8("v" + i)), probe.ref()));
        assertInstanceOf(Proposed.class, probe.receiveMessage(Duration.ofSeconds(5)));
      }
      before = awaitLeader(first, a);
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create("second", config);
    try {
      ActorRef<Command> a = spawnReplica(second);
      Status after = awaitLeader(second, a);
      assertTrue(after.term() > before.term(), "a new election in a later term: " + before + " -> " + after);
      assertEquals(before.lastIndex() + 1, after.lastIndex(), "the old log plus the new leader's no-op");
      TestProbe<QueryResult> query = second.createTestProbe();
      a.tell(new LocalQuery(KeyValueStateMachine.get("k5"), query.ref().unsafeUpcast()));
      assertEquals(ByteString.copyFromUtf8("v5"), KeyValueStateMachine.result(query.receiveMessage().result()).getValue(),
          "the state machine was rebuilt from the recovered log");
    } finally {
      second.shutdownTestKit();
    }
  }
}
