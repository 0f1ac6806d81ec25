package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.chronik.raft.replica.StorageProtocol.CompleteSnapshot;
import io.chronik.raft.replica.StorageProtocol.DiscardSnapshot;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.SaveSnapshot;
import io.chronik.raft.replica.StorageProtocol.SnapshotChunkStored;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.replica.StorageProtocol.StoreSnapshotChunk;
import io.chronik.raft.rpc.EntryKind;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.snapshot.SnapshotMeta;
import io.chronik.raft.snapshot.SnapshotReceiver;
import io.chronik.raft.statemachine.SnapshotFormat;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * InstallSnapshot across a change of leader (Raft §7 with §5.2): a follower the old leader was
 * streaming a snapshot to is caught up by the next leader, by entries or by that leader's own
 * snapshot. The follower is one replica under BehaviorTestKit; the test plays the leaders and the
 * storage (with the real {@link SnapshotReceiver}).
 */
class SnapshotTransferTest {
  private static final SnapshotMeta META = new SnapshotMeta(10, 2);

  @Test
  void abandonedTransferIsDroppedAndTheFollowerSnapshotsAgain() throws IOException {
    Follower f = new Follower();
    ByteString snapshot = kvSnapshot(List.of("x", "y"));
    f.chunk("n2", 2, snapshot, 0, 5); // n2 starts streaming, then stops leading
    assertTrue(f.commands.stream().anyMatch(c -> c instanceof StoreSnapshotChunk), "the first chunk went to storage");

    // n3 leads term 3 and catches the follower up with entries, past the snapshot's index.
    List<LogEntry> entries = new ArrayList<>();
    for (long i = 4; i <= 10; i++) entries.add(put(i, 2));
    entries.add(LogEntry.newBuilder().setIndex(11).setTerm(3).setKind(EntryKind.ENTRY_KIND_NOOP).build());
    f.commands.clear();
    f.r.kit.run(Messages.append("n3", 3).prev(3, 1).entries(entries).commit(11).build());
    f.settle();

    assertEquals(11, f.r.status().appliedIndex());
    assertTrue(f.commands.stream().anyMatch(c -> c instanceof SaveSnapshot),
        "past the thresholds, the follower takes its own snapshot again: " + f.commands);
    assertTrue(f.commands.stream().anyMatch(c -> c instanceof DiscardSnapshot),
        "storage is told to drop the partial snapshot: " + f.commands);
    long transfer = f.commands.stream().filter(c -> c instanceof DiscardSnapshot).map(c -> ((DiscardSnapshot) c).transfer())
        .findFirst().orElseThrow();
    assertEquals(0, f.receiver.next(transfer), "the partial bytes are gone");

    // A late chunk of n2's abandoned transfer (of a term that is over) starts nothing.
    f.commands.clear();
    f.chunk("n2", 2, snapshot, 5, 5);
    assertTrue(f.commands.stream().noneMatch(c -> c instanceof StoreSnapshotChunk), f.commands.toString());
  }

  @Test
  void anInstalledSnapshotBringsItsConfigurationWhichTheReplicaThenUses() throws IOException {
    Follower f = new Follower();
    io.chronik.raft.core.Configuration grown = io.chronik.raft.core.Configuration.legacy(Set.of("n1", "n2", "n3"))
        .withLearner("n4", "s-4");
    f.config = Optional.of(grown);
    f.configIndex = 7;
    ByteString snapshot = kvSnapshot(List.of("x", "y"));
    f.chunk("n2", 2, snapshot, 0, 64);
    assertEquals(1, f.completed.size(), "installed");
    assertEquals(Optional.of(grown), f.r.status().config(), "the snapshot's configuration, not the files'");
    assertEquals(7, f.r.status().configIndex());
    assertEquals(Optional.of(grown), f.saved.get(0).config(), "saved with the snapshot");
  }

  @Test
  void aSnapshotThatDoesNotMatchTheLeadersChecksumIsReceivedAgain() throws IOException {
    ByteString snapshot = kvSnapshot(List.of("x", "y"));
    Follower f = new Follower();
    f.chunk("n2", 2, snapshot, 0, 8);
    f.chunk("n2", 2, snapshot, 8, snapshot.size(), crc(snapshot) ^ 0x10); // the last chunk: a checksum that differs
    assertTrue(f.completed.isEmpty(), "nothing installed");
    InstallSnapshotResponse answer = f.lastAnswer("n2").orElseThrow();
    assertEquals(0, answer.nextOffset(), "the follower asks for the snapshot from its first byte");
    assertEquals(false, answer.installed());

    f.chunk("n2", 2, snapshot, 0, 8);
    f.followAnswers("n2", 2, snapshot, 8);
    assertEquals(List.of(snapshot), f.completed);
  }

  @Test
  void aTransferResumedByAnotherLeaderIsNotSpliced() throws IOException {
    // Both leaders took a snapshot at index 10 of term 2 of the same state, written in other orders.
    ByteString fromN2 = kvSnapshot(List.of("x", "y"));
    ByteString fromN3 = kvSnapshot(List.of("y", "x"));
    assertEquals(fromN2.size(), fromN3.size());
    int firstDifference = 0;
    while (fromN2.byteAt(firstDifference) == fromN3.byteAt(firstDifference)) firstDifference++;

    Follower f = new Follower();
    f.chunk("n2", 2, fromN2, 0, firstDifference + 1); // n2 sends a prefix, then stops leading
    f.chunk("n3", 3, fromN3, 0, 2); // n3 starts its own transfer, in smaller chunks
    f.followAnswers("n3", 3, fromN3, 4);

    assertEquals(1, f.completed.size(), "the follower installed one snapshot");
    assertEquals(fromN3, f.completed.get(0), "what the follower installed is n3's snapshot, byte for byte");
  }

  @Test
  void aLateChunkOfAnEarlierTransferDoesNotRestartTheCurrentOne() throws IOException {
    ByteString snapshot = kvSnapshot(List.of("x", "y"));
    Follower f = new Follower();
    f.transfer = 2; // n2 started over (e.g. its read failed) under a new id
    f.chunk("n2", 2, snapshot, 0, 8);
    f.commands.clear();
    f.transfer = 1;
    f.chunk("n2", 2, snapshot, 0, 8); // a copy of transfer 1's first chunk, delayed in the network
    assertTrue(f.commands.isEmpty(), "ignored: " + f.commands);
    f.transfer = 2;
    f.followAnswers("n2", 2, snapshot, 8);
    assertEquals(List.of(snapshot), f.completed);
    assertTrue(f.commands.stream().noneMatch(c -> c instanceof DiscardSnapshot), f.commands.toString());
  }

  // ---------------------------------------------------------------- harness

  /** A follower whose storage the test plays, receiving snapshot chunks with the real receiver. */
  private static final class Follower {
    final OneReplica r = new OneReplica("n1", Set.of("n1", "n2", "n3"),
        HardState.newBuilder().setTerm(1).build(), List.of(put(1, 1), put(2, 1), put(3, 1)),
        OneReplica.settings().withSnapshots(new ReplicaSettings.Snapshots(5, 1 << 20, 0, 4)));
    final SnapshotReceiver receiver = new SnapshotReceiver(SnapshotReceiver::inMemory);
    final List<StorageCommand> commands = new ArrayList<>();
    final List<ByteString> completed = new ArrayList<>();
    /** The leaders' id of the transfer their chunks belong to. */
    long transfer = 1;
    /** The configuration the snapshot carries, and its entry's index. */
    Optional<io.chronik.raft.core.Configuration> config = Optional.empty();
    long configIndex;
    final List<SnapshotMeta> saved = new ArrayList<>();

    /**
     * The leader {@code from} of {@code term} sends {@code length} bytes of {@code snapshot} from
     * {@code offset} in its transfer {@link #transfer}, with the CRC32C of the bytes through them.
     */
    void chunk(String from, long term, ByteString snapshot, int offset, int length) throws IOException {
      int end = Math.min(snapshot.size(), offset + length);
      chunk(from, term, snapshot, offset, length, crc(snapshot.substring(0, end)));
    }

    void chunk(String from, long term, ByteString snapshot, int offset, int length, long checksum) throws IOException {
      int end = Math.min(snapshot.size(), offset + length);
      r.kit.run(Messages.snapshotChunk(from, term).covering(META.index(), META.term())
          .chunk(offset, snapshot.substring(offset, end), snapshot.size()).transfer(transfer, checksum)
          .config(config, configIndex).build());
      settle();
    }

    /** Plays the leader: sends the chunk each answer asks for, until the follower installed the snapshot. */
    void followAnswers(String from, long term, ByteString snapshot, int chunkBytes) throws IOException {
      for (int round = 0; round < 100; round++) {
        Optional<InstallSnapshotResponse> answer = lastAnswer(from);
        if (answer.isEmpty() || answer.get().installed()) return;
        chunk(from, term, snapshot, (int) answer.get().nextOffset(), chunkBytes);
      }
      throw new AssertionError("no install after 100 chunks");
    }

    /** The follower's last answer to {@code leader} since the previous call, if any. */
    Optional<InstallSnapshotResponse> lastAnswer(String leader) {
      return r.net.getAllReceived().stream()
          .filter(e -> e.to().equals(leader)).map(Envelope::message)
          .filter(m -> m instanceof InstallSnapshotResponse).map(m -> (InstallSnapshotResponse) m)
          .reduce((first, second) -> second);
    }

    /** Answers every storage command, in order, until the replica issues no more. */
    void settle() throws IOException {
      while (r.storage.hasMessages()) {
        StorageCommand c = r.storage.receiveMessage();
        commands.add(c);
        if (c instanceof Persist p) {
          r.kit.run(new Persisted(p.writeId()));
        } else if (c instanceof StoreSnapshotChunk s) {
          r.kit.run(new SnapshotChunkStored(s.transfer(), s.meta(), receiver.store(s.transfer(), s.meta(), s.offset(),
              s.bytes())));
        } else if (c instanceof CompleteSnapshot cs) {
          SnapshotReceiver.Completion done = receiver.complete(cs.transfer(), cs.meta(), cs.size(), cs.checksum());
          if (done.snapshot().isPresent()) {
            completed.add(done.snapshot().get().read(0, Integer.MAX_VALUE));
            saved.add(done.snapshot().get().meta());
          }
          r.kit.run(cs.answer(done));
        } else if (c instanceof DiscardSnapshot d) {
          receiver.discard(d.transfer());
        }
      }
    }
  }

  private static long crc(ByteString bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes.asReadOnlyByteBuffer());
    return crc.getValue();
  }

  private static LogEntry put(long index, long term) {
    return LogEntry.newBuilder().setIndex(index).setTerm(term)
        .setCommand(KeyValueStateMachine.put("k" + index, ByteString.copyFromUtf8("v" + index))).build();
  }

  /** A key-value snapshot whose keys are written in the order given (each key's value is the key). */
  private static ByteString kvSnapshot(List<String> keys) throws IOException {
    ByteString.Output out = ByteString.newOutput();
    CodedOutputStream coded = SnapshotFormat.begin(out, "key-value");
    coded.writeUInt64NoTag(keys.size());
    for (String k : keys) {
      coded.writeStringNoTag(k);
      coded.writeBytesNoTag(ByteString.copyFromUtf8(k));
    }
    coded.flush();
    return out.toByteString();
  }
}
