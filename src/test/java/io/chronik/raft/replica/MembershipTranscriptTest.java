package io.chronik.raft.replica;

import akka.actor.testkit.typed.Effect;
import akka.actor.testkit.typed.javadsl.TestInbox;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.core.ChangeRequest;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.rpc.EntryKind;
import io.chronik.raft.rpc.GroupConfig;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.transcript.Transcripts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Membership changes message by message (thesis ch. 4; joint configurations, learners, hand-over
 * before removal), through the real replica under {@link akka.actor.testkit.typed.javadsl.BehaviorTestKit}:
 * each file in {@code src/test/resources/transcripts/membership} is a script of steps, each
 * followed by {@code ----} and what the replica sent, scheduled and answered in that step.
 *
 * <p>A replica's log is {@code log=N} entries of term {@code logterm} (default 1), of which those
 * named {@code config@I=SPEC} (or {@code config@I/T=SPEC}, of term T) are configuration entries.
 * SPEC is {@code ;}-separated: {@code voters:a,b,c} (the incoming half, required),
 * {@code outgoing:a,b,d/1} (joint while present), {@code learners:e/2}, {@code autoleave},
 * {@code next:N} (default: one above the highest replica id) and {@code stores:d/1:s1,e/2:s2}
 * (default: the legacy store). Member ids as {@link Configuration} spells them: {@code a} is
 * node a's replica 0, {@code d/1} node d's replica 1. {@code files=a,b,c} are the voters the
 * configuration files name, in force only while the log holds no configuration (default none: a
 * replica created for a leader's log).
 *
 * <p>Setup steps:
 * <ul>
 *   <li>{@code leader self=a log=1 config@1=voters:a,b,c [acks=b,c] [votes=b,c] [term=1] [commit=1]}:
 *       a replica recovered at {@code term} (default: its log's last term) wins the next term's
 *       election with the pre-votes and votes of {@code votes} (default: every other voter of its
 *       configuration); its no-op (at {@code log+1}) is durable, and each of {@code acks} has
 *       acknowledged it. {@code commit}: the commit index it learnt before, as a follower of the
 *       first of {@code votes}.
 *   <li>{@code follower self=b term=2 log=3 … [leader=a] [commit=N] [vote=x]}: a replica recovered
 *       with that hard state and log; with a leader, one heartbeat from it has arrived (prev: its
 *       last entry, commit: {@code commit}, default its last index): it is in that leader's lease.
 * </ul>
 * Steps: {@code deliver <Message> from=… [term=…] …}: {@code Ack match=N [seq=S]},
 * {@code AppendEntries prev=i/t [entries=N] [config@I=SPEC] commit=C [seq=S]} (entries of the
 * message's term after prev, N of them or up to the last config entry named),
 * {@code RequestVote last=i/t [prevote] [transfer]}, {@code Vote [granted] [prevote]},
 * {@code TimeoutNow}, {@code ReadIndexRequest id=N}; {@code propose w1} (a client's write,
 * answered as {@code w1 <- …}); {@code change add-learner node=d store=s1 | promote d/1 | remove c
 * | replace d/1 c | leave-joint} (a {@link ReplicaControl.ChangeConfig}, answered as
 * {@code change#1 <- …} in order of the requests); {@code record-files SPEC} (the node offers the
 * files' configuration with its voters' stores, {@link ReplicaControl.RecordFilesConfiguration});
 * {@code transfer to=b}; {@code persist} (the
 * pending disk writes complete); {@code tick heartbeat|check-quorum|transfer-timeout};
 * {@code timeout election|lease}.
 *
 * <p>Output: each message sent ({@code a->b …}; an AppendEntries lists its configuration entries as
 * {@code config@I=(…)} in etcd's notation), the leadership-transfer timer scheduled, each answer to
 * a client or to the node, and a change of role or term ({@code a is follower term=2}).
 */
class MembershipTranscriptTest {
  static final Path DIR = Path.of("src/test/resources/transcripts/membership");

  @TestFactory
  Stream<DynamicTest> transcripts() {
    return Transcripts.tests(DIR, 18, Script::new);
  }

  /** One replica under test, played against by hand: the test is its peers, its clients, its node and its storage. */
  static final class Script implements Transcripts.Script {
    private final ReplicaSettings settings;
    private OneReplica replica;
    private String self;
    /** The term of the setup: what a delivered message carries unless it says otherwise. */
    private long term;
    private String lastRole = "";
    private final Map<String, TestInbox<ProposeReply>> writes = new LinkedHashMap<>();
    private final List<TestInbox<ReplicaControl.ChangeConfigReply>> changes = new ArrayList<>();

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
        case "follower" -> follower(a);
        case "deliver" -> replica.kit.run(message(words, a));
        case "propose" -> {
          TestInbox<ProposeReply> inbox = TestInbox.create();
          writes.put(words.get(0), inbox);
          replica.kit.run(new ClientProtocol.Propose(KeyValueStateMachine.put("k", ByteString.copyFromUtf8(
              words.get(0))), inbox.getRef()));
        }
        case "change" -> {
          TestInbox<ReplicaControl.ChangeConfigReply> inbox = TestInbox.create();
          changes.add(inbox);
          replica.kit.run(new ReplicaControl.ChangeConfig(changeRequest(words, a), inbox.getRef()));
        }
        case "record-files" -> replica.kit.run(new ReplicaControl.RecordFilesConfiguration(config(words.get(0))));
        case "transfer" -> replica.kit.run(new ReplicaControl.TransferLeadership(a.get("to")));
        case "persist" -> replica.persistAll();
        case "tick" -> replica.kit.run(switch (words.get(0)) {
          case "heartbeat" -> Replica.HeartbeatTick.INSTANCE;
          case "check-quorum" -> Replica.CheckQuorumTick.INSTANCE;
          case "transfer-timeout" -> LeaderRole.TransferTimedOut.INSTANCE;
          default -> throw new IllegalArgumentException("unknown timer: " + line);
        });
        case "timeout" -> replica.kit.run(switch (words.get(0)) {
          case "election" -> Replica.ElectionTimeout.INSTANCE;
          case "lease" -> Replica.LeaderLeaseExpired.INSTANCE;
          default -> throw new IllegalArgumentException("unknown timeout: " + line);
        });
        default -> throw new IllegalArgumentException("unknown step: " + line);
      }
      return output();
    }

    // ---------------------------------------------------------------- setup

    private void start(Map<String, String> a, long hardTerm, String vote, List<LogEntry> log) {
      self = a.get("self");
      writes.clear();
      changes.clear();
      Set<String> files = a.containsKey("files") ? new LinkedHashSet<>(List.of(a.get("files").split(","))) : Set.of();
      replica = new OneReplica(self, files, HardState.newBuilder().setTerm(hardTerm).setVotedFor(vote).build(), log,
          settings);
    }

    private void leader(Map<String, String> a) {
      List<LogEntry> log = entries(a, 0, Integer.parseInt(a.getOrDefault("log", "1")),
          Long.parseLong(a.getOrDefault("logterm", "1")));
      long lastTerm = log.isEmpty() ? 0 : log.get(log.size() - 1).getTerm();
      start(a, Long.parseLong(a.getOrDefault("term", String.valueOf(lastTerm))), "", log);
      List<String> voters = a.containsKey("votes") ? List.of(a.get("votes").split(","))
          : otherVoters(log, a.get("files"));
      if (a.containsKey("commit")) { // learnt as a follower of the first voter, before this election
        long last = log.size();
        replica.kit.run(Messages.append(voters.get(0), replica.status().term()).prev(last, lastTerm)
            .commit(Long.parseLong(a.get("commit"))).build());
        replica.persistAll();
      }
      replica.campaignAndWin(voters);
      replica.persistAll(); // the no-op
      term = replica.status().term();
      long noop = replica.status().lastIndex();
      if (a.containsKey("acks")) {
        for (String peer : a.get("acks").split(",")) {
          replica.kit.run(Messages.appendResponse(peer, term).accepted(noop).build());
        }
      }
      quiet();
    }

    private void follower(Map<String, String> a) {
      term = Long.parseLong(a.get("term"));
      int n = Integer.parseInt(a.getOrDefault("log", "1"));
      List<LogEntry> log = entries(a, 0, n, Long.parseLong(a.getOrDefault("logterm", "1")));
      start(a, term, a.getOrDefault("vote", ""), log);
      if (a.containsKey("leader")) {
        replica.kit.run(Messages.append(a.get("leader"), term).prev(n, n == 0 ? 0 : log.get(n - 1).getTerm())
            .commit(Long.parseLong(a.getOrDefault("commit", String.valueOf(n)))).build());
        replica.persistAll();
      }
      quiet();
    }

    /** Forgets what setting up the replica sent and scheduled: a transcript shows what its steps do. */
    private void quiet() {
      replica.net.getAllReceived();
      replica.kit.getAllEffects();
      lastRole = role();
    }

    /**
     * The entries after {@code prev} up to {@code prev + count} (or the last {@code config@I} named
     * in {@code a}), of {@code term}: commands {@code v<index>}, or the configurations named.
     */
    private static List<LogEntry> entries(Map<String, String> a, long prev, long count, long term) {
      Map<Long, String> configs = new TreeMap<>();
      Map<Long, Long> terms = new TreeMap<>();
      a.forEach((key, value) -> {
        if (!key.startsWith("config@")) return;
        String[] at = key.substring("config@".length()).split("/");
        long index = Long.parseLong(at[0]);
        configs.put(index, value);
        if (at.length > 1) terms.put(index, Long.parseLong(at[1]));
      });
      long last = Math.max(prev + count, configs.keySet().stream().mapToLong(Long::longValue).max().orElse(0));
      List<LogEntry> entries = new ArrayList<>();
      for (long i = prev + 1; i <= last; i++) {
        LogEntry.Builder e = LogEntry.newBuilder().setIndex(i).setTerm(terms.getOrDefault(i, term));
        if (configs.containsKey(i)) {
          e.setKind(EntryKind.ENTRY_KIND_CONFIG).setCommand(config(configs.get(i)).toProto().toByteString());
        } else {
          e.setCommand(KeyValueStateMachine.put("k", ByteString.copyFromUtf8("v" + i)));
        }
        entries.add(e.build());
      }
      return entries;
    }

    /** The voters of the configuration in force for a log (the latest configuration entry, else the files) but self. */
    private List<String> otherVoters(List<LogEntry> log, String files) {
      Set<String> voters = new TreeSet<>(files == null ? List.of() : List.of(files.split(",")));
      for (LogEntry e : log) {
        if (e.getKind() != EntryKind.ENTRY_KIND_CONFIG) continue;
        Configuration c = parse(e.getCommand());
        voters = new TreeSet<>(c.voters());
        voters.addAll(c.outgoing());
      }
      voters.remove(self);
      return List.copyOf(voters);
    }

    /** A configuration as a transcript spells it (see the class comment). */
    static Configuration config(String spec) {
      Set<String> voters = Set.of();
      Set<String> outgoing = Set.of();
      Set<String> learners = Set.of();
      boolean autoLeave = false;
      long next = 0;
      Map<String, String> stores = new TreeMap<>();
      for (String part : spec.split(";")) {
        int colon = part.indexOf(':');
        String key = colon < 0 ? part : part.substring(0, colon);
        String value = colon < 0 ? "" : part.substring(colon + 1);
        switch (key) {
          case "voters" -> voters = ids(value);
          case "outgoing" -> outgoing = ids(value);
          case "learners" -> learners = ids(value);
          case "autoleave" -> autoLeave = true;
          case "next" -> next = Long.parseLong(value);
          case "stores" -> {
            for (String s : value.split(",")) stores.put(s.substring(0, s.lastIndexOf(':')), s.substring(s.lastIndexOf(':') + 1));
          }
          default -> throw new IllegalArgumentException("unknown configuration part '" + part + "' in " + spec);
        }
      }
      if (next == 0) {
        next = 1 + Stream.of(voters, outgoing, learners).flatMap(Set::stream)
            .mapToLong(Configuration::replicaIdOf).max().orElse(0);
      }
      return new Configuration(voters, outgoing, learners, autoLeave, next, stores);
    }

    private static Set<String> ids(String list) {
      return list.isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(list.split(",")));
    }

    private static Configuration parse(ByteString command) {
      try {
        return Configuration.fromProto(GroupConfig.parseFrom(command));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException(e);
      }
    }

    // ---------------------------------------------------------------- input

    private static ChangeRequest changeRequest(List<String> words, Map<String, String> a) {
      return switch (words.get(0)) {
        case "add-learner" -> new ChangeRequest.AddLearner(a.get("node"), a.get("store"));
        case "promote" -> new ChangeRequest.Promote(words.get(1));
        case "remove" -> new ChangeRequest.Remove(words.get(1));
        case "replace" -> new ChangeRequest.Replace(words.get(1), words.get(2));
        case "leave-joint" -> new ChangeRequest.LeaveJoint();
        default -> throw new IllegalArgumentException("unknown change " + words.get(0));
      };
    }

    private RaftMessage message(List<String> words, Map<String, String> a) {
      long t = Long.parseLong(a.getOrDefault("term", String.valueOf(term)));
      String from = a.get("from");
      return switch (words.get(0)) {
        case "Ack" -> Messages.appendResponse(from, t).accepted(Long.parseLong(a.get("match")))
            .seq(Long.parseLong(a.getOrDefault("seq", "0"))).build();
        case "AppendEntries" -> {
          long[] prev = position(a.get("prev"));
          yield Messages.append(from, t).prev(prev[0], prev[1])
              .entries(entries(a, prev[0], Long.parseLong(a.getOrDefault("entries", "0")), t))
              .commit(Long.parseLong(a.get("commit"))).seq(Long.parseLong(a.getOrDefault("seq", "0"))).build();
        }
        case "RequestVote" -> {
          long[] last = position(a.get("last"));
          Messages.VoteBuilder b = Messages.vote(from, t).last(last[0], last[1]);
          if (words.contains("prevote")) b.preVote();
          if (words.contains("transfer")) b.leadershipTransfer();
          yield b.build();
        }
        case "Vote" -> {
          Messages.VoteResponseBuilder b = Messages.voteResponse(from, t);
          if (words.contains("granted")) b.granted();
          if (words.contains("prevote")) b.preVote();
          yield b.build();
        }
        case "TimeoutNow" -> new TimeoutNow(Messages.GROUP, t, from);
        case "ReadIndexRequest" -> new ReadIndexRequest(Messages.GROUP, t, from, Long.parseLong(a.get("id")));
        default -> throw new IllegalArgumentException("unknown message " + words.get(0));
      };
    }

    /** {@code i/t}: an index and its term. */
    private static long[] position(String s) {
      String[] parts = s.split("/");
      return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    }

    // ---------------------------------------------------------------- output

    private String role() {
      ClientProtocol.Status s = replica.status();
      return s.role() + " term=" + s.term();
    }

    /** What the replica sent, scheduled and answered since the last step, one line each. */
    private String output() {
      StringBuilder out = new StringBuilder();
      for (Envelope e : replica.net.getAllReceived()) {
        out.append(self).append("->").append(e.to()).append(' ').append(render(e.message())).append('\n');
      }
      for (Effect e : replica.kit.getAllEffects()) {
        if (e instanceof Effect.TimerScheduled<?> t && t.key().equals(LeaderRole.TRANSFER_TIMER)) {
          out.append("timer ").append(t.key()).append(" after ").append(t.delay().toMillis()).append("ms\n");
        }
      }
      writes.forEach((name, inbox) -> inbox.getAllReceived().forEach(reply ->
          out.append(name).append(" <- ").append(render(reply)).append('\n')));
      for (int i = 0; i < changes.size(); i++) {
        for (ReplicaControl.ChangeConfigReply reply : changes.get(i).getAllReceived()) {
          out.append("change#").append(i + 1).append(" <- ").append(render(reply)).append('\n');
        }
      }
      String role = role();
      if (!role.equals(lastRole)) out.append(self).append(" is ").append(role).append('\n');
      lastRole = role;
      return out.toString();
    }

    private static String render(RaftMessage m) {
      if (m instanceof AppendEntries ae) {
        StringBuilder s = new StringBuilder(ae.entries().isEmpty() ? "Heartbeat" : "AppendEntries")
            .append(" term=").append(ae.term()).append(" prev=").append(ae.prevLogIndex()).append('/')
            .append(ae.prevLogTerm());
        if (!ae.entries().isEmpty()) {
          s.append(" entries=").append(ae.entries().get(0).getIndex()).append("..")
              .append(ae.entries().get(ae.entries().size() - 1).getIndex());
        }
        s.append(" commit=").append(ae.leaderCommit());
        if (ae.readSeq() > 0) s.append(" seq=").append(ae.readSeq());
        for (LogEntry e : ae.entries()) {
          if (e.getKind() == EntryKind.ENTRY_KIND_CONFIG) {
            s.append(" config@").append(e.getIndex()).append("=(").append(parse(e.getCommand())).append(')');
          }
        }
        return s.toString();
      }
      if (m instanceof AppendEntriesResponse r) {
        return "Ack term=" + r.term() + " success=" + r.success() + " match=" + r.matchIndex();
      }
      if (m instanceof RequestVote rv) {
        return "RequestVote term=" + rv.term() + " last=" + rv.lastLogIndex() + "/" + rv.lastLogTerm()
            + (rv.preVote() ? " prevote" : "") + (rv.leadershipTransfer() ? " transfer" : "");
      }
      if (m instanceof RequestVoteResponse r) {
        return "Vote term=" + r.term() + (r.granted() ? " granted" : " refused") + (r.preVote() ? " prevote" : "");
      }
      if (m instanceof ReadIndexResponse r) {
        return "ReadIndexResponse term=" + r.term() + " id=" + r.requestId() + " ok=" + r.ok()
            + (r.ok() ? " index=" + r.readIndex() : "");
      }
      return m.getClass().getSimpleName() + " term=" + m.term();
    }

    private static String render(ProposeReply reply) {
      if (reply instanceof ClientProtocol.Proposed p) return "Proposed index=" + p.index();
      if (reply instanceof ClientProtocol.NotLeader n) return "NotLeader hint=" + n.leaderHint().orElse("-");
      return reply.getClass().getSimpleName();
    }

    private static String render(ReplicaControl.ChangeConfigReply reply) {
      if (reply instanceof ReplicaControl.ConfigChanged c) return "ConfigChanged index=" + c.index() + " " + c.config();
      if (reply instanceof ReplicaControl.ConfigChangeRefused r) {
        return "Refused " + r.refusal() + r.leaderHint().map(h -> " hint=" + h).orElse("") + ": " + r.message();
      }
      if (reply instanceof ReplicaControl.ConfigChangeNotLeader n) {
        return "NotLeader hint=" + n.leaderHint().orElse("-");
      }
      return "Unknown: " + ((ReplicaControl.ConfigChangeUnknown) reply).reason();
    }
  }
}
