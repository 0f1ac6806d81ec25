package io.chronik.raft.replica;


import akka.actor.testkit.typed.Effect;
import akka.actor.testkit.typed.javadsl.TestInbox;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.ReadProtocol.ReadReply;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.transcript.Transcripts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The read protocol message by message, as etcd raft's {@code testdata/*.txt} interaction tests
 * do it: each file in {@code src/test/resources/transcripts/reads} is a script of steps, each
 * followed by {@code ----} and exactly what the replica under test sent and answered in that
 * step. Any change of behaviour fails the transcript; {@code -Dtranscripts.rewrite=true} writes
 * what the code does now into the files (review the diff).
 *
 * <p>Steps: {@code follower self=b voters=a,b,c term=2 leader=a log=3 commit=3 [seed=1] [max-lag=N]}
 * ({@code max-lag}: chronik.raft.max-read-lag, 10000 otherwise),
 * {@code leader self=a voters=a,b,c acks=b [committed=false] [commit=1]} (its no-op at index 2
 * committed unless {@code committed=false}; {@code commit}: the commit index it learnt as a
 * follower of term 1, from the first acker), {@code read <name>
 * policy=safe|none|unsafe [min=N]}, {@code propose value=v}, {@code deliver <Message> from=… key=value…}
 * (ReadIndexRequest, ReadIndexResponse, ForwardedRead, ForwardedReadResult, Heartbeat, Ack,
 * {@code Vote [pre=true] [granted=true]}), {@code persist} (the replica's pending disk writes
 * complete), {@code tick} (the ReadIndex retry timer), {@code heartbeat} (a leader's heartbeat timer), {@code timeout} (every read deadline),
 * {@code election-timeout} (the election timer: a follower campaigns). Request and read ids are
 * random per incarnation; they print as {@code #1}, {@code #2}, … in order of appearance, and a
 * step names them the same way.
 */
class ReadTranscriptTest {
  static final Path DIR = Path.of("src/test/resources/transcripts/reads");

  @TestFactory
  Stream<DynamicTest> transcripts() {
    return Transcripts.tests(DIR, 14, Script::new);
  }

  /** One replica under test and the names of the ids it used. */
  static final class Script implements Transcripts.Script {
    private final ReplicaSettings settings;
    private OneReplica replica;
    private String self;
    private final Map<String, TestInbox<ReadReply>> reads = new LinkedHashMap<>();
    private final Map<Long, String> idNames = new HashMap<>();
    private final Map<String, Long> ids = new HashMap<>();
    private int firedTimeouts;

    /** With the standard rules ({@link OneReplica#settings()}). */
    Script() {
      this(OneReplica.settings());
    }

    /** With {@code settings}: e.g. {@code OneReplica.settings().withRules(...)} to run a mutant of the rules. */
    Script(ReplicaSettings settings) {
      this.settings = settings;
    }

    @Override
    public String step(String line) {
      String[] words = line.trim().split("\\s+");
      Map<String, String> args = new HashMap<>();
      for (String w : Arrays.copyOfRange(words, 1, words.length)) {
        int eq = w.indexOf('=');
        if (eq > 0) args.put(w.substring(0, eq), w.substring(eq + 1));
      }
      switch (words[0]) {
        case "follower" -> follower(args);
        case "leader" -> leader(args);
        case "read" -> reads.put(words[1], replica.read(ReadPolicy.parse(args.get("policy")),
            Long.parseLong(args.getOrDefault("min", "0"))));
        case "deliver" -> replica.kit.run(message(words[1], args));
        case "tick" -> replica.kit.run(Reads.RetryReadIndex.INSTANCE);
        case "heartbeat" -> replica.kit.run(Replica.HeartbeatTick.INSTANCE);
        case "persist" -> replica.persistAll();
        case "propose" -> {
          replica.kit.run(new ClientProtocol.Propose(KeyValueStateMachine.put("k", ByteString.copyFromUtf8(
              args.get("value"))), TestInbox.<ClientProtocol.ProposeReply>create().getRef()));
          replica.persistAll();
        }
        case "timeout" -> fireTimeouts();
        case "election-timeout" -> replica.kit.run(Replica.ElectionTimeout.INSTANCE);
        default -> throw new IllegalArgumentException("unknown step: " + line);
      }
      return output();
    }

    private static LogEntry put(long index, long term, String value) {
      return LogEntry.newBuilder().setIndex(index).setTerm(term)
          .setCommand(KeyValueStateMachine.put("k", ByteString.copyFromUtf8(value))).build();
    }

    private void follower(Map<String, String> a) {
      self = a.get("self");
      long term = Long.parseLong(a.get("term"));
      int n = Integer.parseInt(a.get("log"));
      // proved=k: the entries are of the previous term, and the leader's first heartbeat proves only
      // the first k of them the leader's (by default all are of this term, and all proved).
      long proved = Long.parseLong(a.getOrDefault("proved", String.valueOf(n)));
      long entryTerm = a.containsKey("proved") ? term - 1 : term;
      List<LogEntry> log = new ArrayList<>();
      for (int i = 1; i <= n; i++) log.add(put(i, entryTerm, "v" + i));
      replica = new OneReplica(self, new LinkedHashSet<>(List.of(a.get("voters").split(","))),
          HardState.newBuilder().setTerm(term).build(), log, Long.parseLong(a.getOrDefault("seed", "1")),
          ReplicaLatency.unexported(),
          a.containsKey("max-lag") ? withMaxReadLag(settings, Long.parseLong(a.get("max-lag"))) : settings);
      replica.kit.run(Messages.append(a.get("leader"), term).prev(proved, proved == 0 ? 0 : entryTerm)
          .commit(Long.parseLong(a.get("commit"))).build());
      replica.persistAll();
      replica.net.getAllReceived();
      replica.kit.getAllEffects();
      firedTimeouts = 0;
    }

    /** {@code s} with another chronik.raft.max-read-lag (ReplicaSettings has no wither for it). */
    private static ReplicaSettings withMaxReadLag(ReplicaSettings s, long maxReadLag) {
      return new ReplicaSettings(s.electionTimeout(), s.heartbeatInterval(), s.maxEntryBytes(), s.maxAppendBytes(),
          s.maxAppendEntries(), s.maxInflightAppends(), s.preVote(), s.checkQuorum(), s.stashCapacity(),
          s.storageRestartBackoff(), s.readIndexTimeout(), s.defaultReadPolicy(), maxReadLag, s.proposalTimeout(),
          s.leaderBalancing(), s.leaderBalanceDelay(), s.snapshots(), s.readIndexPipeline(),
          s.storageRestartMaxBackoff(), s.rules());
    }

    private void leader(Map<String, String> a) {
      self = a.get("self");
      replica = new OneReplica(self, new LinkedHashSet<>(List.of(a.get("voters").split(","))),
          HardState.newBuilder().setTerm(1).build(), List.of(put(1, 1, "v1")), settings);
      List<String> ackers = List.of(a.get("acks").split(","));
      long oldCommit = Long.parseLong(a.getOrDefault("commit", "0"));
      if (oldCommit > 0) { // learnt from the first acker, leader of term 1, before this replica's election
        replica.kit.run(Messages.append(ackers.get(0), 1).prev(1, 1).commit(oldCommit).build());
        replica.persistAll();
      }
      replica.campaignAndWin(ackers);
      replica.persistAll();
      if (!a.getOrDefault("committed", "true").equals("false")) {
        for (String peer : ackers) replica.kit.run(Messages.appendResponse(peer, 2).accepted(2).build());
      }
      replica.net.getAllReceived();
      replica.kit.getAllEffects();
      firedTimeouts = 0;
    }

    private void fireTimeouts() {
      for (Effect e : replica.kit.getAllEffects()) {
        if (e instanceof Effect.TimerScheduled<?> t && t.msg() instanceof Reads.ReadTimedOut m) replica.kit.run(m);
      }
    }

    /** {@code #n}: the n-th id the replica used; a number: an id a peer chose (printed as given). */
    private long id(String name) {
      if (!name.startsWith("#")) {
        long literal = Long.parseLong(name);
        idNames.putIfAbsent(literal, name);
        ids.putIfAbsent(name, literal);
        return literal;
      }
      Long id = ids.get(name);
      if (id == null) throw new IllegalArgumentException("no id " + name + " seen yet");
      return id;
    }

    private String name(long id) {
      return idNames.computeIfAbsent(id, x -> {
        String n = "#" + (ids.keySet().stream().filter(k -> k.startsWith("#")).count() + 1);
        ids.put(n, x);
        return n;
      });
    }

    private RaftMessage message(String type, Map<String, String> a) {
      long term = Long.parseLong(a.getOrDefault("term", "2"));
      String from = a.get("from");
      return switch (type) {
        case "ReadIndexRequest" -> new ReadIndexRequest("g", term, from, id(a.get("id")));
        case "ReadIndexResponse" -> {
          Messages.ReadIndexResponseBuilder b = Messages.readIndexResponse(from, term).request(id(a.get("id")));
          yield (Boolean.parseBoolean(a.getOrDefault("ok", "true"))
              ? b.confirmed(Long.parseLong(a.getOrDefault("index", "0"))) : b).build();
        }
        case "ForwardedRead" -> Messages.forwardedRead(from, term).read(id(a.get("read")), KeyValueStateMachine.get("k"))
            .minIndex(Long.parseLong(a.getOrDefault("min", "0"))).build();
        case "ForwardedReadResult" -> {
          Messages.ForwardedReadResultBuilder b = Messages.forwardedReadResult(from, term).read(id(a.get("id")));
          yield (Boolean.parseBoolean(a.getOrDefault("ok", "true"))
              ? b.served(io.chronik.raft.statemachine.proto.KvResult.newBuilder().setFound(true)
                  .setValue(ByteString.copyFromUtf8(a.getOrDefault("value", ""))).build().toByteString(),
                  Long.parseLong(a.getOrDefault("applied", "0")))
              : b).build();
        }
        case "Heartbeat" -> Messages.append(from, term)
            .prev(Long.parseLong(a.get("prev")), Long.parseLong(a.getOrDefault("prevTerm", String.valueOf(term))))
            .commit(Long.parseLong(a.get("commit"))).seq(Long.parseLong(a.getOrDefault("seq", "0"))).build();
        case "Ack" -> Messages.appendResponse(from, term).accepted(Long.parseLong(a.get("match")))
            .seq(Long.parseLong(a.getOrDefault("seq", "0"))).build();
        case "Vote" -> {
          Messages.VoteResponseBuilder b = Messages.voteResponse(from, term);
          if (Boolean.parseBoolean(a.getOrDefault("granted", "true"))) b.granted();
          if (Boolean.parseBoolean(a.getOrDefault("pre", "false"))) b.preVote();
          yield b.build();
        }
        default -> throw new IllegalArgumentException("unknown message " + type);
      };
    }

    /** What the replica sent and answered since the last step, one line each. */
    private String output() {
      StringBuilder out = new StringBuilder();
      for (Envelope e : replica.net.getAllReceived()) out.append(render(e.to(), e.message())).append('\n');
      for (Map.Entry<String, TestInbox<ReadReply>> r : reads.entrySet()) {
        for (ReadReply reply : r.getValue().getAllReceived()) {
          out.append(r.getKey()).append(" <- ").append(render(reply)).append('\n');
        }
      }
      return out.toString();
    }

    private String render(String to, RaftMessage m) {
      String head = self + "->" + to + " ";
      if (m instanceof ReadIndexRequest q) return head + "ReadIndexRequest term=" + q.term() + " id=" + name(q.requestId());
      if (m instanceof ReadIndexResponse r) {
        return head + "ReadIndexResponse term=" + r.term() + " id=" + name(r.requestId()) + " ok=" + r.ok()
            + (r.ok() ? " index=" + r.readIndex() : "");
      }
      if (m instanceof AppendEntries ae) {
        return head + (ae.entries().isEmpty() ? "Heartbeat" : "AppendEntries entries=" + ae.entries().size())
            + " term=" + ae.term() + " commit=" + ae.leaderCommit() + " seq=" + ae.readSeq();
      }
      if (m instanceof AppendEntriesResponse r) {
        return head + "Ack term=" + r.term() + " success=" + r.success() + " match=" + r.matchIndex() + " seq=" + r.readSeq();
      }
      if (m instanceof ForwardedRead f) return head + "ForwardedRead term=" + f.term() + " id=" + name(f.readId()) + " min=" + f.minIndex();
      if (m instanceof ForwardedReadResult f) {
        return head + "ForwardedReadResult term=" + f.term() + " read=" + name(f.readId()) + " ok=" + f.ok()
            + (f.ok() ? " value=" + value(f.result()) + " applied=" + f.appliedIndex() : "");
      }
      if (m instanceof RequestVote v) return head + "RequestVote term=" + v.term() + " pre=" + v.preVote();
      return head + m.getClass().getSimpleName();
    }

    private static String value(ByteString kvResult) {
      var r = KeyValueStateMachine.result(kvResult);
      return r.getFound() ? r.getValue().toStringUtf8() : "(none)";
    }

    private static String render(ReadReply reply) {
      if (reply instanceof ReadProtocol.ReadResult r) {
        return "ReadResult value=" + value(r.result()) + " applied=" + r.appliedIndex() + " by=" + r.servedBy();
      }
      if (reply instanceof ReadProtocol.RetryLater r) return "RetryLater " + r.reason();
      if (reply instanceof ReadProtocol.NoLeader n) return "NoLeader hint=" + n.leaderHint().orElse("-");
      if (reply instanceof ReadProtocol.ReadTimeout) return "ReadTimeout";
      return reply.toString();
    }
  }
}
