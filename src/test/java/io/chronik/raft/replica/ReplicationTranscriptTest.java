package io.chronik.raft.replica;

import akka.actor.testkit.typed.javadsl.TestInbox;
import com.google.protobuf.ByteString;
import io.chronik.raft.core.RaftRules;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.SaveSnapshot;
import io.chronik.raft.replica.StorageProtocol.SnapshotSaved;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.snapshot.InMemorySnapshot;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotMeta;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.transcript.Transcripts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Log replication and commit (Raft §5.3, §5.4, {@link io.chronik.raft.core.ReplicationRules}) message
 * by message, through the real replica under {@link OneReplica}: each file in
 * {@code src/test/resources/transcripts/replication} is a script of steps, each followed by
 * {@code ----} and what the replica wrote to its storage and sent in that step.
 *
 * <p>Steps:
 * <ul>
 *   <li>{@code follower self=b voters=a,b,c term=2 log=1,1,2}: a follower in {@code term} whose
 *       log holds entries of those terms ({@code log=-}: empty); commit index 0. With
 *       {@code snapshot=4/2} it recovers from a snapshot of entries 1..4 (the last of term 2), its
 *       log compacted up to there and holding the {@code log} entries after it; commit index 4.
 *   <li>{@code leader self=a voters=a,b,c term=3 log=1,1,2 [snapshot-every=N]}: a replica with that
 *       log and term wins an election (term+1) with every other voter's vote and appends its no-op;
 *       prints the probes it sends. With {@code snapshot-every}, it snapshots after N applied
 *       entries and keeps none before the snapshot.
 *   <li>{@code deliver AppendEntries from=a term=2 prev=3/2 entries=2,2 commit=4}: entries of those
 *       terms after {@code prev} ({@code entries=-} or absent: none).
 *   <li>{@code deliver Ack from=b term=2 match=3}, {@code deliver Nack from=b term=2 prev=5 hint=3/1}.
 *   <li>{@code propose n=3}: three client writes (not persisted).
 *   <li>{@code persist}: every storage write completes, in order (a snapshot is saved in memory).
 *   <li>{@code tick}: the leader's heartbeat timer fires.
 *   <li>{@code status}: role, term, commit index and last index.
 * </ul>
 */
class ReplicationTranscriptTest {
  static final Path DIR = Path.of("src/test/resources/transcripts/replication");

  @TestFactory
  Stream<DynamicTest> transcripts() {
    return Transcripts.tests(DIR, 10, () -> new Script(RaftRules.STANDARD));
  }

  /** One replica under test, with {@code rules}. */
  static final class Script implements Transcripts.Script {
    private final RaftRules rules;
    private OneReplica replica;
    private String self;
    /** What the new leader sent while winning, printed by the step that made it. */
    private final List<Envelope> leaderSent = new ArrayList<>();

    Script(RaftRules rules) {
      this.rules = rules;
    }

    @Override
    public String step(String line) {
      Map<String, String> args = Transcripts.args(line);
      StringBuilder out = new StringBuilder();
      switch (Transcripts.command(line)) {
        case "follower" -> follower(args);
        case "leader" -> leader(args);
        case "deliver" -> replica.kit.run(message(Transcripts.words(line).get(0), args));
        case "propose" -> {
          for (int i = 0; i < Integer.parseInt(args.get("n")); i++) {
            replica.kit.run(new ClientProtocol.Propose(KeyValueStateMachine.put("k", ByteString.copyFromUtf8("p" + i)),
                TestInbox.<ClientProtocol.ProposeReply>create().getRef()));
          }
        }
        case "persist" -> persist(out);
        case "tick" -> replica.kit.run(Replica.HeartbeatTick.INSTANCE);
        case "status" -> {
          ClientProtocol.Status s = replica.status();
          out.append(self).append(": ").append(s.role()).append(" term=").append(s.term()).append(" commit=")
              .append(s.commitIndex()).append(" last=").append(s.lastIndex()).append('\n');
        }
        default -> throw new IllegalArgumentException("unknown step: " + line);
      }
      leaderSent.addAll(replica.net.getAllReceived());
      for (Envelope e : leaderSent) out.append(render(e.to(), e.message())).append('\n');
      leaderSent.clear();
      return out.toString();
    }

    private static List<LogEntry> entries(long after, String terms) {
      List<LogEntry> log = new ArrayList<>();
      if (terms == null || terms.equals("-")) return log;
      long index = after;
      for (String t : terms.split(",")) {
        index++;
        log.add(LogEntry.newBuilder().setIndex(index).setTerm(Long.parseLong(t))
            .setCommand(KeyValueStateMachine.put("k", ByteString.copyFromUtf8("v" + index))).build());
      }
      return log;
    }

    private OneReplica replica(Map<String, String> a, ReplicaSettings settings) {
      self = a.get("self");
      long[] snapshot = a.containsKey("snapshot") ? pair(a.get("snapshot")) : new long[] {0, 0};
      return new OneReplica(self, new LinkedHashSet<>(List.of(a.get("voters").split(","))),
          HardState.newBuilder().setTerm(Long.parseLong(a.get("term"))).build(),
          snapshot[0] == 0 ? Optional.empty() : Optional.of(snapshot(snapshot[0], snapshot[1])),
          entries(snapshot[0], a.get("log")), settings.withRules(rules));
    }

    /** A snapshot of the state after applying the entries {@link #entries} would make up to {@code index}. */
    private static SnapshotData snapshot(long index, long term) {
      KeyValueStateMachine state = new KeyValueStateMachine();
      for (long i = 1; i <= index; i++) state.apply(i, KeyValueStateMachine.put("k", ByteString.copyFromUtf8("v" + i)));
      return InMemorySnapshot.of(new SnapshotMeta(index, term), state.snapshot());
    }

    private void follower(Map<String, String> a) {
      replica = replica(a, OneReplica.settings());
      replica.kit.getAllEffects();
    }

    private void leader(Map<String, String> a) {
      ReplicaSettings settings = OneReplica.settings();
      if (a.containsKey("snapshot-every")) {
        settings = settings.withSnapshots(new ReplicaSettings.Snapshots(Long.parseLong(a.get("snapshot-every")),
            1 << 20, 0, 1 << 20));
      }
      replica = replica(a, settings);
      List<String> others = new ArrayList<>();
      for (String v : a.get("voters").split(",")) if (!v.equals(self)) others.add(v);
      replica.campaignAndWin(others);
      // Only what the new leader sends: the campaign's requests are not this transcript's business.
      List<Envelope> sent = replica.net.getAllReceived();
      int firstAppend = 0;
      while (firstAppend < sent.size() && !(sent.get(firstAppend).message() instanceof AppendEntries)) firstAppend++;
      leaderSent.addAll(sent.subList(firstAppend, sent.size()));
      replica.kit.getAllEffects();
    }

    /** Completes every storage command, in order, including those issued on the way, and prints them. */
    private void persist(StringBuilder out) {
      while (replica.storage.hasMessages()) {
        StorageCommand c = replica.storage.receiveMessage();
        if (c instanceof Persist p) {
          out.append(self).append(" persist");
          p.hardState().ifPresent(h -> out.append(" term=").append(h.getTerm()).append(" vote=")
              .append(h.getVotedFor().isEmpty() ? "-" : h.getVotedFor()));
          if (p.truncateFrom() > 0) out.append(" truncate-from=").append(p.truncateFrom());
          if (!p.entries().isEmpty()) out.append(" entries=").append(entries(p.entries()));
          out.append('\n');
          replica.kit.run(new Persisted(p.writeId()));
        } else if (c instanceof SaveSnapshot s) {
          out.append(self).append(" save snapshot=").append(s.meta().index()).append('/').append(s.meta().term())
              .append('\n');
          replica.kit.run(new SnapshotSaved(InMemorySnapshot.of(s.meta(), s.state()), false));
        } else {
          throw new IllegalStateException("unexpected storage command " + c);
        }
      }
    }

    private static String entries(List<LogEntry> entries) {
      return entries.stream().map(e -> e.getIndex() + "/" + e.getTerm()).collect(Collectors.joining(",", "[", "]"));
    }

    private static long[] pair(String indexSlashTerm) {
      String[] p = indexSlashTerm.split("/");
      return new long[] {Long.parseLong(p[0]), Long.parseLong(p[1])};
    }

    private RaftMessage message(String type, Map<String, String> a) {
      long term = Long.parseLong(a.get("term"));
      String from = a.get("from");
      return switch (type) {
        case "AppendEntries" -> {
          long[] prev = pair(a.get("prev"));
          yield Messages.append(from, term).prev(prev[0], prev[1]).entries(entries(prev[0], a.get("entries")))
              .commit(Long.parseLong(a.getOrDefault("commit", "0"))).build();
        }
        case "Ack" -> Messages.appendResponse(from, term).accepted(Long.parseLong(a.get("match"))).build();
        case "Nack" -> {
          long[] hint = pair(a.get("hint"));
          yield Messages.appendResponse(from, term).rejected(Long.parseLong(a.get("prev")), hint[0], hint[1]).build();
        }
        default -> throw new IllegalArgumentException("unknown message " + type);
      };
    }

    private String render(String to, RaftMessage m) {
      String head = self + "->" + to + " ";
      if (m instanceof AppendEntries ae) {
        return head + "AppendEntries term=" + ae.term() + " prev=" + ae.prevLogIndex() + "/" + ae.prevLogTerm()
            + " entries=" + entries(ae.entries()) + " commit=" + ae.leaderCommit();
      }
      if (m instanceof AppendEntriesResponse r) {
        return head + (r.success() ? "Ack term=" + r.term() + " match=" + r.matchIndex()
            : "Nack term=" + r.term() + " prev=" + r.rejectedPrevIndex() + " hint=" + r.conflictIndex() + "/"
                + r.conflictTerm());
      }
      if (m instanceof InstallSnapshot is) {
        return head + "InstallSnapshot term=" + is.term() + " snapshot=" + is.lastIndex() + "/" + is.lastTerm()
            + " offset=" + is.offset();
      }
      return head + m.getClass().getSimpleName();
    }
  }
}
