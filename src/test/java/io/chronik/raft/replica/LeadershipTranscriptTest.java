package io.chronik.raft.replica;

import akka.actor.testkit.typed.Effect;
import akka.actor.testkit.typed.javadsl.BehaviorTestKit;
import akka.actor.testkit.typed.javadsl.TestInbox;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.Recovered;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.transcript.Transcripts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Keeping and handing over leadership, and forwarded writes, message by message through the real
 * replica ({@link LeaderRole}, {@link Replica}) under {@link BehaviorTestKit}: each file in
 * {@code src/test/resources/transcripts/leadership} is a script of steps, each followed by
 * {@code ----} and what the replica sent, scheduled and answered in that step.
 *
 * <p>Steps:
 * <ul>
 *   <li>{@code leader self=a voters=a,b,c log=1 [preferred=b]}: a replica holding {@code log}
 *       entries of term 1 wins the election of term 2 with every peer's vote; its no-op (at
 *       {@code log+1}) is durable, no follower has answered yet.
 *   <li>{@code replica self=a voters=a,b,c term=2 vote=a log=1}: a replica just recovered from
 *       that hard state and log (a follower that has heard from nobody).
 *   <li>{@code follower self=b voters=a,b,c term=2 leader=a log=1}: a replica that has just heard
 *       from leader a of term 2 and holds its {@code log} entries.
 *   <li>{@code deliver Ack from=b match=2 [term=2] [draining]}, {@code deliver ForwardedPropose from=b id=7 [term=2]},
 *       {@code deliver ForwardedProposeResult from=a id=#1 outcome=COMMITTED [index=2] [term=2]},
 *       {@code deliver Heartbeat from=c term=3 [prev=0 prevTerm=0 commit=0]}: a peer's message.
 *   <li>{@code propose w1}: a client's write (its answers print as {@code w1 <- …}).
 *   <li>{@code persist}: the replica's pending disk writes complete.
 *   <li>{@code tick heartbeat|check-quorum|balance|transfer-timeout|orphans}: a timer
 *       fires ({@code orphans}: the forwarded writes' grace after a leader change, as last scheduled).
 *   <li>{@code transfer to=b}: the node asks the leader to hand over to b; {@code drain}: the node is stopping.
 * </ul>
 * Proposal ids the replica drew (random per incarnation) print as {@code #1}, {@code #2}, … in
 * order of appearance. Output: each message sent ({@code a->b …}), each leadership-transfer or
 * orphan-grace timer scheduled, each
 * answer to a client or to the node, and a change of role or term ({@code a is follower term=3}).
 */
class LeadershipTranscriptTest {
  static final Path DIR = Path.of("src/test/resources/transcripts/leadership");

  @TestFactory
  Stream<DynamicTest> transcripts() {
    return Transcripts.tests(DIR, 8, Script::new);
  }

  /** One replica under test, played against by hand: the test is its peers, clients and storage. */
  static final class Script implements Transcripts.Script {
    private final ReplicaSettings settings;
    private BehaviorTestKit<Command> kit;
    private TestInbox<Envelope> net;
    private TestInbox<StorageCommand> storage;
    private String self;
    private String lastRole = "";
    private final Map<String, TestInbox<ProposeReply>> writes = new LinkedHashMap<>();
    private final List<TestInbox<ReplicaControl.DrainStatus>> drains = new ArrayList<>();
    /** Proposal ids: a number a peer chose prints as given; one the replica drew prints as #1, #2, … */
    private final Map<Long, String> idNames = new LinkedHashMap<>();
    private final Map<String, Long> ids = new LinkedHashMap<>();
    /** The grace timer for forwarded writes whose leader changed, as last scheduled. */
    private ProposalForwarding.OrphansTimedOut orphansTimer;

    Script() {
      this(OneReplica.settings());
    }

    /** With other settings, e.g. {@code OneReplica.settings().withRules(…)} for a mutant. */
    Script(ReplicaSettings settings) {
      this.settings = settings;
    }

    @Override
    public String step(String line) {
      List<String> words = Transcripts.words(line);
      Map<String, String> a = Transcripts.args(line);
      switch (Transcripts.command(line)) {
        case "leader" -> leader(a);
        case "replica" -> replica(a);
        case "follower" -> follower(a);
        case "deliver" -> kit.run(message(words.get(0), a, words.contains("draining")));
        case "propose" -> {
          TestInbox<ProposeReply> inbox = TestInbox.create();
          writes.put(words.get(0), inbox);
          kit.run(new ClientProtocol.Propose(KeyValueStateMachine.put("k", ByteString.copyFromUtf8(words.get(0))),
              inbox.getRef()));
        }
        case "persist" -> persistAll();
        case "tick" -> kit.run(switch (words.get(0)) {
          case "heartbeat" -> Replica.HeartbeatTick.INSTANCE;
          case "check-quorum" -> Replica.CheckQuorumTick.INSTANCE;
          case "balance" -> LeaderRole.BalanceTick.INSTANCE;
          case "transfer-timeout" -> LeaderRole.TransferTimedOut.INSTANCE;
          case "orphans" -> orphansTimer;
          default -> throw new IllegalArgumentException("unknown timer: " + line);
        });
        case "transfer" -> kit.run(new ReplicaControl.TransferLeadership(a.get("to")));
        case "drain" -> {
          TestInbox<ReplicaControl.DrainStatus> inbox = TestInbox.create();
          drains.add(inbox);
          kit.run(new ReplicaControl.Drain(inbox.getRef()));
        }
        default -> throw new IllegalArgumentException("unknown step: " + line);
      }
      return output();
    }

    private void start(String self, List<String> voters, Optional<String> preferred, HardState hs, int logLength) {
      this.self = self;
      net = TestInbox.create();
      storage = TestInbox.create();
      List<LogEntry> log = new ArrayList<>();
      for (int i = 1; i <= logLength; i++) {
        log.add(LogEntry.newBuilder().setIndex(i).setTerm(1)
            .setCommand(KeyValueStateMachine.put("k", ByteString.copyFromUtf8("v" + i))).build());
      }
      TestInbox<StorageCommand> disk = storage;
      kit = BehaviorTestKit.create(Replica.create(settings,
          new GroupMembers("g", self, new LinkedHashSet<>(voters), preferred), net.getRef()::tell,
          (ctx, incarnation) -> disk.getRef(), KeyValueStateMachine::new, ReplicaLatency.unexported(), new Random(1)));
      storage.receiveMessage(); // Recover
      kit.run(new Recovered(hs, log));
    }

    private void leader(Map<String, String> a) {
      List<String> voters = List.of(a.get("voters").split(","));
      start(a.get("self"), voters, Optional.ofNullable(a.get("preferred")), HardState.newBuilder().setTerm(1).build(),
          Integer.parseInt(a.getOrDefault("log", "1")));
      List<String> peers = voters.stream().filter(v -> !v.equals(self)).toList();
      kit.run(Replica.ElectionTimeout.INSTANCE); // pre-candidate
      persistAll();
      for (String v : peers) kit.run(Messages.voteResponse(v, 2).granted().preVote().build());
      persistAll(); // term 2 and the vote for itself
      for (String v : peers) kit.run(Messages.voteResponse(v, 2).granted().build());
      persistAll(); // the no-op
      quiet();
    }

    private void replica(Map<String, String> a) {
      start(a.get("self"), List.of(a.get("voters").split(",")), Optional.empty(), HardState.newBuilder()
          .setTerm(Long.parseLong(a.get("term"))).setVotedFor(a.getOrDefault("vote", "")).build(),
          Integer.parseInt(a.getOrDefault("log", "1")));
      quiet();
    }

    private void follower(Map<String, String> a) {
      long term = Long.parseLong(a.get("term"));
      int n = Integer.parseInt(a.getOrDefault("log", "1"));
      start(a.get("self"), List.of(a.get("voters").split(",")), Optional.empty(),
          HardState.newBuilder().setTerm(term).build(), n);
      kit.run(Messages.append(a.get("leader"), term).prev(n, n == 0 ? 0 : 1).commit(n).build());
      persistAll();
      quiet();
    }

    /** {@code #n}: the n-th id the replica drew; a number: an id a peer chose. */
    private long id(String name) {
      if (ids.containsKey(name)) return ids.get(name);
      if (name.startsWith("#")) throw new IllegalArgumentException("no id " + name + " seen yet");
      long literal = Long.parseLong(name);
      ids.put(name, literal);
      idNames.put(literal, name);
      return literal;
    }

    private String name(long id) {
      return idNames.computeIfAbsent(id, x -> {
        String n = "#" + (ids.keySet().stream().filter(k -> k.startsWith("#")).count() + 1);
        ids.put(n, x);
        return n;
      });
    }

    /** Forgets what setting up the replica sent and scheduled: a transcript shows what its steps do. */
    private void quiet() {
      net.getAllReceived();
      kit.getAllEffects();
      lastRole = role();
    }

    private void persistAll() {
      while (storage.hasMessages()) {
        StorageCommand c = storage.receiveMessage();
        if (c instanceof Persist p) kit.run(new Persisted(p.writeId()));
      }
    }

    private Status status() {
      TestInbox<Status> probe = TestInbox.create();
      kit.run(new GetStatus(probe.getRef().unsafeUpcast()));
      return probe.receiveMessage();
    }

    private String role() {
      Status s = status();
      return s.role() + " term=" + s.term();
    }

    private RaftMessage message(String type, Map<String, String> a, boolean draining) {
      long term = Long.parseLong(a.getOrDefault("term", "2"));
      String from = a.get("from");
      return switch (type) {
        case "Ack" -> {
          Messages.AppendResponseBuilder b = Messages.appendResponse(from, term)
              .accepted(Long.parseLong(a.get("match")));
          yield (draining ? b.draining() : b).build();
        }
        case "ForwardedProposeResult" -> Messages.forwardedProposeResult(from, term).proposal(id(a.get("id")))
            .outcome(ForwardedProposeResult.Outcome.valueOf(a.get("outcome")),
                Long.parseLong(a.getOrDefault("index", "0"))).build();
        case "ForwardedPropose" -> Messages.forwardedPropose(from, term)
            .proposal(id(a.get("id")), KeyValueStateMachine.put("k", ByteString.copyFromUtf8("f" + a.get("id")))).build();
        case "Heartbeat" -> Messages.append(from, term)
            .prev(Long.parseLong(a.getOrDefault("prev", "0")), Long.parseLong(a.getOrDefault("prevTerm", "0")))
            .commit(Long.parseLong(a.getOrDefault("commit", "0"))).build();
        default -> throw new IllegalArgumentException("unknown message " + type);
      };
    }

    /** What the replica sent, scheduled and answered since the last step, one line each. */
    private String output() {
      StringBuilder out = new StringBuilder();
      for (Envelope e : net.getAllReceived()) out.append(self).append("->").append(e.to()).append(' ')
          .append(render(e.message())).append('\n');
      for (Effect e : kit.getAllEffects()) {
        if (e instanceof Effect.TimerScheduled<?> t
            && (t.key().equals(LeaderRole.TRANSFER_TIMER) || t.key().equals(ProposalForwarding.ORPHANS_TIMER))) {
          out.append("timer ").append(t.key()).append(" after ").append(t.delay().toMillis()).append("ms\n");
          if (t.msg() instanceof ProposalForwarding.OrphansTimedOut o) orphansTimer = o;
        }
      }
      for (Map.Entry<String, TestInbox<ProposeReply>> w : writes.entrySet()) {
        for (ProposeReply reply : w.getValue().getAllReceived()) {
          out.append(w.getKey()).append(" <- ").append(render(reply)).append('\n');
        }
      }
      for (TestInbox<ReplicaControl.DrainStatus> d : drains) {
        for (ReplicaControl.DrainStatus s : d.getAllReceived()) {
          out.append("drain <- leader=").append(s.leader()).append(" handingOver=").append(s.handingOver())
              .append('\n');
        }
      }
      String role = role();
      if (!role.equals(lastRole)) out.append(self).append(" is ").append(role).append('\n');
      lastRole = role;
      return out.toString();
    }

    private String render(RaftMessage m) {
      if (m instanceof AppendEntries ae) {
        String what = ae.entries().isEmpty() ? "Heartbeat"
            : "AppendEntries entries=" + ae.entries().get(0).getIndex() + ".." + (ae.prevLogIndex() + ae.entries().size());
        return what + " term=" + ae.term() + " prev=" + ae.prevLogIndex() + " commit=" + ae.leaderCommit();
      }
      if (m instanceof AppendEntriesResponse r) {
        return "Ack term=" + r.term() + " success=" + r.success() + " match=" + r.matchIndex();
      }
      if (m instanceof ForwardedProposeResult r) {
        return "ForwardedProposeResult term=" + r.term() + " id=" + name(r.proposalId()) + " outcome=" + r.outcome()
            + (r.outcome() == ForwardedProposeResult.Outcome.COMMITTED ? " index=" + r.index() : "");
      }
      if (m instanceof RequestVote rv) {
        return "RequestVote term=" + rv.term() + " last=" + rv.lastLogIndex() + "@" + rv.lastLogTerm()
            + (rv.preVote() ? " pre" : "") + (rv.leadershipTransfer() ? " transfer" : "");
      }
      if (m instanceof TimeoutNow t) return "TimeoutNow term=" + t.term();
      if (m instanceof ForwardedPropose f) return "ForwardedPropose term=" + f.term() + " id=" + name(f.proposalId());
      return m.getClass().getSimpleName() + " term=" + m.term();
    }

    private static String render(ProposeReply reply) {
      if (reply instanceof ClientProtocol.Proposed p) return "Proposed index=" + p.index();
      if (reply instanceof ClientProtocol.NotLeader) return "NotLeader";
      if (reply instanceof ClientProtocol.OutcomeUnknown) return "OutcomeUnknown";
      if (reply instanceof ClientProtocol.ProposalRejected r) return "ProposalRejected " + r.reason();
      return reply.toString();
    }
  }
}
