package io.chronik.raft.replica;

import akka.actor.testkit.typed.Effect;
import akka.actor.testkit.typed.javadsl.TestInbox;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.transcript.Transcripts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Elections message by message (Raft §5.1, §5.2, §5.4.1, thesis §3.10, §4.2.3, §9.6), through the
 * real replica under {@link akka.actor.testkit.typed.javadsl.BehaviorTestKit}: each file in
 * {@code src/test/resources/transcripts/elections} is a script of steps, each followed by
 * {@code ----} and what the replica wrote to disk, sent and scheduled in that step.
 *
 * <p>Steps: {@code follower self=b voters=a,b,c term=2 log=3 [logterm=2] [vote=c] [leader=a]} (a
 * log of {@code log} entries of {@code logterm}, default {@code term}; with a leader, one heartbeat
 * from it has arrived: the replica is in its lease), {@code timeout election|lease} (the election
 * timer or the leader lease expires), {@code deliver <Message> from=… term=… …} (RequestVote
 * {@code last=i/t [prevote] [transfer]}, RequestVoteResponse {@code [granted] [prevote]},
 * AppendEntries {@code prev=i/t [entries=n] commit=c}, TimeoutNow), {@code drain} (the node
 * is stopping), {@code persist} (the pending disk writes complete), {@code status}.
 *
 * <p>Output: {@code durable term=… vote=… entries=…} for a completed write, {@code x->y Message …}
 * for a message sent, {@code timer election=…ms} for the randomized election timer (re)started.
 */
class ElectionTranscriptTest {
  static final Path DIR = Path.of("src/test/resources/transcripts/elections");

  @TestFactory
  Stream<DynamicTest> transcripts() {
    return Transcripts.tests(DIR, 8, Script::new);
  }

  /** One replica under test, with the settings it runs with (a mutant's rules, for the mutant tests). */
  static final class Script implements Transcripts.Script {
    private final ReplicaSettings settings;
    private OneReplica replica;
    private String self;

    Script() {
      this(OneReplica.settings());
    }

    Script(ReplicaSettings settings) {
      this.settings = settings;
    }

    @Override
    public String step(String line) {
      Map<String, String> args = Transcripts.args(line);
      List<String> words = Transcripts.words(line);
      StringBuilder out = new StringBuilder();
      switch (Transcripts.command(line)) {
        case "follower" -> follower(args);
        case "timeout" -> replica.kit.run(switch (words.get(0)) {
          case "election" -> Replica.ElectionTimeout.INSTANCE;
          case "lease" -> Replica.LeaderLeaseExpired.INSTANCE;
          default -> throw new IllegalArgumentException("unknown timeout: " + line);
        });
        case "deliver" -> replica.kit.run(message(words, args));
        case "drain" -> replica.kit.run(new ReplicaControl.Drain(TestInbox.<ReplicaControl.DrainStatus>create().getRef()));
        case "persist" -> {
          for (Persist p : replica.persistAll()) out.append(render(p)).append('\n');
        }
        case "status" -> {
          ClientProtocol.Status s = replica.status();
          out.append("role=").append(s.role()).append(" term=").append(s.term()).append(" leader=")
              .append(s.leader().orElse("-")).append('\n');
        }
        default -> throw new IllegalArgumentException("unknown step: " + line);
      }
      return out.append(output()).toString();
    }

    private void follower(Map<String, String> a) {
      self = a.get("self");
      long term = Long.parseLong(a.get("term"));
      long logTerm = Long.parseLong(a.getOrDefault("logterm", a.get("term")));
      int n = Integer.parseInt(a.get("log"));
      List<LogEntry> log = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        log.add(LogEntry.newBuilder().setIndex(i).setTerm(logTerm).setCommand(ByteString.copyFromUtf8("v" + i)).build());
      }
      replica = new OneReplica(self, new LinkedHashSet<>(List.of(a.get("voters").split(","))),
          HardState.newBuilder().setTerm(term).setVotedFor(a.getOrDefault("vote", "")).build(), log, settings);
      if (a.containsKey("leader")) {
        replica.kit.run(Messages.append(a.get("leader"), term).prev(n, n == 0 ? 0 : logTerm).commit(n).build());
      }
      replica.persistAll();
      replica.net.getAllReceived();
      replica.kit.getAllEffects();
    }

    private RaftMessage message(List<String> words, Map<String, String> a) {
      String from = a.get("from");
      long term = Long.parseLong(a.get("term"));
      return switch (words.get(0)) {
        case "RequestVote" -> {
          long[] last = position(a.get("last"));
          Messages.VoteBuilder b = Messages.vote(from, term).last(last[0], last[1]);
          if (words.contains("prevote")) b.preVote();
          if (words.contains("transfer")) b.leadershipTransfer();
          yield b.build();
        }
        case "RequestVoteResponse" -> voteResponse(from, term, words.contains("granted"), words.contains("prevote"));
        case "AppendEntries" -> {
          long[] prev = position(a.get("prev"));
          yield Messages.append(from, term).prev(prev[0], prev[1])
              .entriesOfTerm(term, Integer.parseInt(a.getOrDefault("entries", "0")))
              .commit(Long.parseLong(a.get("commit"))).build();
        }
        case "TimeoutNow" -> new TimeoutNow(Messages.GROUP, term, from);
        default -> throw new IllegalArgumentException("unknown message " + words.get(0));
      };
    }

    /** {@code i/t}: an index and its term. */
    private static long[] position(String s) {
      String[] parts = s.split("/");
      return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    }

    /** Messages sent and election timers started since the last step, one line each. */
    private String output() {
      StringBuilder out = new StringBuilder();
      for (Envelope e : replica.net.getAllReceived()) out.append(render(e.to(), e.message())).append('\n');
      for (Effect e : replica.kit.getAllEffects()) {
        if (e instanceof Effect.TimerScheduled<?> t && t.key().equals(Replica.ELECTION_TIMER)) {
          out.append("timer election=").append(t.delay().toMillis()).append("ms\n");
        }
      }
      return out.toString();
    }

    private static String render(Persist p) {
      StringBuilder s = new StringBuilder("durable");
      p.hardState().ifPresent(h -> s.append(" term=").append(h.getTerm()).append(" vote=")
          .append(h.getVotedFor().isEmpty() ? "-" : h.getVotedFor()));
      if (!p.entries().isEmpty()) {
        s.append(" entries=").append(p.entries().get(0).getIndex()).append("..")
            .append(p.entries().get(p.entries().size() - 1).getIndex());
      }
      return s.toString();
    }

    private String render(String to, RaftMessage m) {
      String head = self + "->" + to + " ";
      if (m instanceof RequestVote rv) {
        return head + "RequestVote term=" + rv.term() + " last=" + rv.lastLogIndex() + "/" + rv.lastLogTerm()
            + (rv.preVote() ? " prevote" : "") + (rv.leadershipTransfer() ? " transfer" : "");
      }
      if (m instanceof RequestVoteResponse r) {
        return head + "RequestVoteResponse term=" + r.term() + (r.granted() ? " granted" : " refused")
            + (r.preVote() ? " prevote" : "");
      }
      if (m instanceof AppendEntries ae) {
        return head + "AppendEntries term=" + ae.term() + " prev=" + ae.prevLogIndex() + "/" + ae.prevLogTerm()
            + " entries=" + ae.entries().size() + " commit=" + ae.leaderCommit();
      }
      if (m instanceof AppendEntriesResponse r) {
        return head + "AppendEntriesResponse term=" + r.term() + " success=" + r.success() + " match=" + r.matchIndex();
      }
      return head + m.getClass().getSimpleName() + " term=" + m.term();
    }
  }

  private static RequestVoteResponse voteResponse(String from, long term, boolean granted, boolean preVote) {
    Messages.VoteResponseBuilder b = Messages.voteResponse(from, term);
    if (granted) b.granted();
    if (preVote) b.preVote();
    return b.build();
  }
}
