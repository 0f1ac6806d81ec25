package io.chronik.raft.replica;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.chronik.raft.core.RaftRules;
import io.chronik.raft.replica.StorageProtocol.CompleteSnapshot;
import io.chronik.raft.replica.StorageProtocol.DiscardSnapshot;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.SaveSnapshot;
import io.chronik.raft.replica.StorageProtocol.SnapshotChunkStored;
import io.chronik.raft.replica.StorageProtocol.SnapshotSaved;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.replica.StorageProtocol.StoreSnapshotChunk;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.snapshot.InMemorySnapshot;
import io.chronik.raft.snapshot.SnapshotReceiver;
import io.chronik.raft.statemachine.SnapshotFormat;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.transcript.Transcripts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Snapshots (Raft §7) message by message, through the real replica under BehaviorTestKit: each
 * file in {@code src/test/resources/transcripts/snapshots} is a script of steps, each followed by
 * {@code ----} and what the replica asked of its storage ({@code storage: …}) and then sent, in
 * that step. The script plays the peers and the storage: snapshot chunks go to a real in-memory
 * {@link SnapshotReceiver}, writes complete at once, and a snapshot the replica takes of its own
 * state is saved only at the step {@code saved}.
 *
 * <p>Steps: {@code follower self=b voters=a,b,c term=2 leader=a log=3 [logTerm=2] commit=3}
 * (heard from leader {@code a} of {@code term}), {@code leader self=a voters=a,b,c log=4 acks=b}
 * (it won term 2 and {@code acks} acknowledged its no-op, so it commits and applies it), both with
 * the snapshot settings {@code [entries=1000] [retained=0] [chunk=8]}; {@code chunk from=a
 * [term=2] [index=10] [snapTerm=2] offset=0 len=8 [transfer=1] [crc=bad]} (the leader's snapshot,
 * the same bytes in every file: its CRC32C through the chunk goes with it), {@code append from=a
 * [term=2] prev=3 [prevTerm=2] entries=N commit=C}, {@code propose}, {@code saved} (storage saved
 * the snapshots the replica asked for), {@code tick} (the leader's heartbeat), {@code deliver
 * SnapshotResponse|Reject from=c …}, {@code status}.
 */
class SnapshotTranscriptTest {
  static final Path DIR = Path.of("src/test/resources/transcripts/snapshots");

  /** The leader's snapshot every follower transcript receives: a key-value state of ten keys. */
  static final ByteString SNAPSHOT = kvSnapshot(10);

  @TestFactory
  Stream<DynamicTest> transcripts() {
    return Transcripts.tests(DIR, 6, () -> new Script(RaftRules.STANDARD));
  }

  /** One replica under test; its storage and peers played by the script. */
  static final class Script implements Transcripts.Script {
    private final RaftRules rules;
    private OneReplica replica;
    private String self;
    private final SnapshotReceiver receiver = new SnapshotReceiver(SnapshotReceiver::inMemory);
    private final List<SaveSnapshot> saving = new ArrayList<>();
    private final StringBuilder storageOut = new StringBuilder();

    Script(RaftRules rules) {
      this.rules = rules;
    }

    @Override
    public String step(String line) {
      Map<String, String> a = Transcripts.args(line);
      switch (Transcripts.command(line)) {
        case "follower" -> follower(a);
        case "leader" -> leader(a);
        case "chunk" -> replica.kit.run(chunk(a));
        case "append" -> replica.kit.run(Messages.append(a.get("from"), num(a, "term", 2))
            .prev(num(a, "prev", 0), num(a, "prevTerm", num(a, "term", 2)))
            .entriesOfTerm(num(a, "term", 2), (int) num(a, "entries", 0)).commit(num(a, "commit", 0)).build());
        case "propose" -> replica.kit.run(new ClientProtocol.Propose(KeyValueStateMachine.put("p",
            ByteString.copyFromUtf8("v")), akka.actor.testkit.typed.javadsl.TestInbox
            .<ClientProtocol.ProposeReply>create().getRef()));
        case "saved" -> {
          List<SaveSnapshot> done = new ArrayList<>(saving);
          saving.clear();
          for (SaveSnapshot s : done) replica.kit.run(new SnapshotSaved(InMemorySnapshot.of(s.meta(), s.state()), false));
        }
        case "tick" -> replica.kit.run(Replica.HeartbeatTick.INSTANCE);
        case "deliver" -> replica.kit.run(message(Transcripts.words(line).get(0), a));
        case "status" -> {
          settle();
          ClientProtocol.Status s = replica.status();
          return "status commit=" + s.commitIndex() + " applied=" + s.appliedIndex() + " last=" + s.lastIndex()
              + " snapshot=" + s.snapshotIndex() + "\n";
        }
        default -> throw new IllegalArgumentException("unknown step: " + line);
      }
      settle();
      return output();
    }

    private static long num(Map<String, String> a, String key, long otherwise) {
      return a.containsKey(key) ? Long.parseLong(a.get(key)) : otherwise;
    }

    private ReplicaSettings settings(Map<String, String> a) {
      return OneReplica.settings().withRules(rules).withSnapshots(new ReplicaSettings.Snapshots(
          num(a, "entries", 1000), 1L << 30, (int) num(a, "retained", 0), (int) num(a, "chunk", 8)));
    }

    private void follower(Map<String, String> a) {
      self = a.get("self");
      long term = num(a, "term", 2);
      long logTerm = num(a, "logTerm", term);
      int n = (int) num(a, "log", 0);
      List<LogEntry> log = new ArrayList<>();
      for (int i = 1; i <= n; i++) log.add(put(i, logTerm));
      replica = new OneReplica(self, new LinkedHashSet<>(List.of(a.get("voters").split(","))),
          HardState.newBuilder().setTerm(term).build(), log, settings(a));
      replica.kit.run(Messages.append(a.get("leader"), term).prev(n, n == 0 ? 0 : logTerm)
          .commit(num(a, "commit", 0)).build());
      settle();
      forget();
    }

    private void leader(Map<String, String> a) {
      self = a.get("self");
      int n = (int) num(a, "log", 1);
      List<LogEntry> log = new ArrayList<>();
      for (int i = 1; i <= n; i++) log.add(put(i, 1));
      replica = new OneReplica(self, new LinkedHashSet<>(List.of(a.get("voters").split(","))),
          HardState.newBuilder().setTerm(1).build(), log, settings(a));
      List<String> acks = List.of(a.get("acks").split(","));
      replica.campaignAndWin(acks);
      settle();
      for (String peer : acks) replica.kit.run(Messages.appendResponse(peer, 2).accepted(n + 1).build());
      settle();
      forget();
    }

    private void forget() {
      replica.net.getAllReceived();
      replica.kit.getAllEffects();
    }

    private InstallSnapshot chunk(Map<String, String> a) {
      int offset = (int) num(a, "offset", 0);
      int end = (int) Math.min(SNAPSHOT.size(), offset + num(a, "len", 8));
      long crc = crc(SNAPSHOT.substring(0, end));
      if ("bad".equals(a.get("crc"))) crc ^= 0x10;
      return Messages.snapshotChunk(a.get("from"), num(a, "term", 2))
          .covering(num(a, "index", 10), num(a, "snapTerm", 2))
          .chunk(offset, SNAPSHOT.substring(offset, end), SNAPSHOT.size())
          .transfer(num(a, "transfer", 1), crc).build();
    }

    private RaftMessage message(String type, Map<String, String> a) {
      String from = a.get("from");
      long term = num(a, "term", 2);
      return switch (type) {
        case "SnapshotResponse" -> Messages.snapshotResponse(from, term).covering(num(a, "index", 0), num(a, "snapTerm", 2))
            .next(num(a, "next", 0)).installed(Boolean.parseBoolean(a.getOrDefault("installed", "false")))
            .transfer(num(a, "transfer", 1)).build();
        case "Reject" -> Messages.appendResponse(from, term).rejected(num(a, "prev", 0), num(a, "hint", 0), 0).build();
        case "Ack" -> Messages.appendResponse(from, term).accepted(num(a, "match", 0)).build();
        default -> throw new IllegalArgumentException("unknown message " + type);
      };
    }

    /** Answers every storage command the replica issued, in order, except snapshots it takes (see {@code saved}). */
    private void settle() {
      try {
        while (replica.storage.hasMessages()) {
          StorageCommand c = replica.storage.receiveMessage();
          if (c instanceof Persist p) {
            if (p.truncateFrom() > 0) storageOut.append("storage: Persist truncateFrom=").append(p.truncateFrom()).append('\n');
            replica.kit.run(new Persisted(p.writeId()));
          } else if (c instanceof StoreSnapshotChunk s) {
            storageOut.append("storage: StoreSnapshotChunk transfer=").append(s.transfer()).append(" offset=")
                .append(s.offset()).append(" bytes=").append(s.bytes().size()).append('\n');
            replica.kit.run(new SnapshotChunkStored(s.transfer(), s.meta(),
                receiver.store(s.transfer(), s.meta(), s.offset(), s.bytes())));
          } else if (c instanceof CompleteSnapshot cs) {
            SnapshotReceiver.Completion done = receiver.complete(cs.transfer(), cs.meta(), cs.size(), cs.checksum());
            storageOut.append("storage: CompleteSnapshot transfer=").append(cs.transfer()).append(" -> ")
                .append(done.snapshot().isPresent() ? "saved" : done.checksumMismatch() ? "checksum mismatch"
                    : "next=" + done.next()).append('\n');
            replica.kit.run(cs.answer(done));
          } else if (c instanceof DiscardSnapshot d) {
            storageOut.append("storage: DiscardSnapshot transfer=").append(d.transfer()).append('\n');
            receiver.discard(d.transfer());
          } else if (c instanceof SaveSnapshot s) {
            storageOut.append("storage: SaveSnapshot index=").append(s.meta().index()).append(" term=")
                .append(s.meta().term()).append('\n');
            saving.add(s);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private String output() {
      StringBuilder out = new StringBuilder(storageOut);
      storageOut.setLength(0);
      for (Envelope e : replica.net.getAllReceived()) out.append(render(e.to(), e.message())).append('\n');
      return out.toString();
    }

    private String render(String to, RaftMessage m) {
      String head = self + "->" + to + " ";
      if (m instanceof InstallSnapshot is) {
        return head + "InstallSnapshot term=" + is.term() + " snapshot=" + is.lastIndex() + "/" + is.lastTerm()
            + " offset=" + is.offset() + " bytes=" + is.data().size() + " total=" + is.totalSize()
            + " transfer=" + is.transfer();
      }
      if (m instanceof InstallSnapshotResponse r) {
        return head + "SnapshotResponse term=" + r.term() + " snapshot=" + r.lastIndex() + "/" + r.lastTerm()
            + " next=" + r.nextOffset() + " installed=" + r.installed() + " transfer=" + r.transfer();
      }
      if (m instanceof AppendEntries ae) {
        return head + (ae.entries().isEmpty() ? "Heartbeat" : "AppendEntries entries=" + ae.entries().size())
            + " term=" + ae.term() + " prev=" + ae.prevLogIndex() + " commit=" + ae.leaderCommit();
      }
      if (m instanceof AppendEntriesResponse r) {
        return head + "Ack term=" + r.term() + " success=" + r.success() + " match=" + r.matchIndex();
      }
      return head + m.getClass().getSimpleName();
    }
  }

  private static LogEntry put(long index, long term) {
    return LogEntry.newBuilder().setIndex(index).setTerm(term)
        .setCommand(KeyValueStateMachine.put("k" + index, ByteString.copyFromUtf8("v" + index))).build();
  }

  private static long crc(ByteString bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes.asReadOnlyByteBuffer());
    return crc.getValue();
  }

  /** A key-value snapshot of keys k1..k{@code n}, each with value v1..v{@code n}. */
  private static ByteString kvSnapshot(int n) {
    try {
      ByteString.Output out = ByteString.newOutput();
      CodedOutputStream coded = SnapshotFormat.begin(out, "key-value");
      coded.writeUInt64NoTag(n);
      for (int i = 1; i <= n; i++) {
        coded.writeStringNoTag("k" + i);
        coded.writeBytesNoTag(ByteString.copyFromUtf8("v" + i));
      }
      coded.flush();
      return out.toByteString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
