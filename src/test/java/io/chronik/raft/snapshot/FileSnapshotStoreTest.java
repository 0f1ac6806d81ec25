package io.chronik.raft.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.rpc.GroupConfig;
import io.chronik.raft.rpc.Member;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotStoreTest {
  /** Joint, with a learner, stores (one member on the legacy store), autoLeave and the next replica id. */
  private static final Configuration JOINT = new Configuration(Set.of("n1", "n4/4", "n5/5"), Set.of("n1", "n2", "n3"),
      Set.of("n6/6"), true, 7, Map.of("n4/4", "store-4", "n5/5", "store-5", "n6/6", "store-6"));
  @TempDir Path dir;

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] readAll(SnapshotData s) throws IOException {
    try (InputStream in = s.open()) {
      return in.readAllBytes();
    }
  }

  private long snapFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    }
  }

  @Test
  void aWrittenSnapshotIsTheLatestAndReplacesOlderOnes() throws IOException {
    FileSnapshotStore store = new FileSnapshotStore(dir);
    assertTrue(store.latest().isEmpty());
    byte[] first = bytes(300_000, 1);
    byte[] second = bytes(1234, 2);
    store.write(new SnapshotMeta(10, 1), out -> out.write(first));
    SnapshotData written = store.write(new SnapshotMeta(20, 2), out -> out.write(second));
    assertEquals(1, snapFiles(), "only the latest is kept");
    SnapshotData latest = new FileSnapshotStore(dir).latest().orElseThrow();
    assertEquals(new SnapshotMeta(20, 2), latest.meta());
    assertEquals(second.length, latest.size());
    assertArrayEquals(second, readAll(latest));
    assertEquals(ByteString.copyFrom(second, 1000, 234), written.read(1000, 10_000), "chunks read by position");
    assertTrue(written.read(second.length, 10).isEmpty());
  }

  @Test
  void aTruncatedOrBitFlippedSnapshotIsRefusedWithAClearMessage() throws IOException {
    FileSnapshotStore store = new FileSnapshotStore(dir);
    SnapshotData s = store.write(new SnapshotMeta(7, 3), out -> out.write(bytes(50_000, 3)));
    Path file = dir.resolve(FileSnapshotStore.fileName(s.meta()));
    byte[] original = Files.readAllBytes(file);

    byte[] flipped = original.clone();
    flipped[12_345] ^= 0x10;
    Files.write(file, flipped);
    IOException e = assertThrows(FileSnapshotStore.CorruptSnapshotException.class, store::latest);
    assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains("Move the replica's directory"),
        e.getMessage());

    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      Files.write(file, original);
      ch.truncate(original.length - 7);
    }
    e = assertThrows(FileSnapshotStore.CorruptSnapshotException.class, store::latest);
    assertTrue(e.getMessage().contains("trailer"), e.getMessage());
  }

  @Test
  void leftoversOfAnInterruptedWriteAreIgnoredAndRemoved() throws IOException {
    FileSnapshotStore store = new FileSnapshotStore(dir);
    store.write(new SnapshotMeta(5, 1), out -> out.write(bytes(100, 4)));
    Files.write(dir.resolve(FileSnapshotStore.fileName(new SnapshotMeta(9, 1)) + ".tmp"), bytes(10, 5));
    Files.write(dir.resolve(FileSnapshotStore.fileName(new SnapshotMeta(9, 1)) + ".partial"), bytes(10, 6));
    assertEquals(new SnapshotMeta(5, 1), store.latest().orElseThrow().meta());
    assertEquals(1, snapFiles());
  }

  @Test
  void aReceivedSnapshotTakesChunksInOrderOnlyAndStartsOverForAnotherSnapshot() throws IOException {
    FileSnapshotStore store = new FileSnapshotStore(dir);
    SnapshotReceiver receiver = new SnapshotReceiver(store::receive);
    byte[] data = bytes(10_000, 7);
    SnapshotMeta old = new SnapshotMeta(40, 2);
    SnapshotMeta meta = new SnapshotMeta(50, 3);
    assertEquals(4000, receiver.store(1, old, 0, ByteString.copyFrom(data, 0, 4000)));
    assertEquals(0, receiver.store(2, meta, 4000, ByteString.copyFrom(data, 4000, 10)), "not receiving it: start over");
    assertEquals(4000, receiver.store(2, meta, 0, ByteString.copyFrom(data, 0, 4000)), "a new snapshot replaces the old");
    assertEquals(4000, receiver.store(2, meta, 8000, ByteString.copyFrom(data, 8000, 2000)), "a gap is not taken");
    assertEquals(4000, receiver.store(2, meta, 0, ByteString.copyFrom(data, 0, 4000)), "a duplicate is not taken");
    assertTrue(receiver.complete(2, meta, data.length, crc(data)).snapshot().isEmpty(), "incomplete");
    assertEquals(8000, receiver.store(2, meta, 4000, ByteString.copyFrom(data, 4000, 4000)));
    assertEquals(10_000, receiver.store(2, meta, 8000, ByteString.copyFrom(data, 8000, 2000)));
    SnapshotData done = receiver.complete(2, meta, data.length, crc(data)).snapshot().orElseThrow();
    assertArrayEquals(data, readAll(done));
    SnapshotData reopened = new FileSnapshotStore(dir).latest().orElseThrow();
    assertEquals(meta, reopened.meta());
    assertArrayEquals(data, readAll(reopened));
    assertFalse(Files.exists(dir.resolve(FileSnapshotStore.fileName(old) + ".partial")));
  }

  @Test
  void anotherTransferOfTheSameSnapshotStartsOverInsteadOfContinuingTheFirst() throws IOException {
    SnapshotReceiver receiver = new SnapshotReceiver(new FileSnapshotStore(dir)::receive);
    SnapshotMeta meta = new SnapshotMeta(50, 3);
    byte[] first = bytes(8000, 1);
    byte[] second = bytes(8000, 2);
    assertEquals(4000, receiver.store(1, meta, 0, ByteString.copyFrom(first, 0, 4000)));
    assertEquals(0, receiver.store(2, meta, 4000, ByteString.copyFrom(second, 4000, 4000)),
        "the second leader's bytes never continue the first's");
    assertEquals(1000, receiver.store(2, meta, 0, ByteString.copyFrom(second, 0, 1000)));
    assertEquals(8000, receiver.store(2, meta, 1000, ByteString.copyFrom(second, 1000, 7000)));
    assertArrayEquals(second, readAll(receiver.complete(2, meta, 8000, crc(second)).snapshot().orElseThrow()));
  }

  @Test
  void bytesThatDoNotMatchTheLeadersChecksumAreDiscardedNotInstalled() throws IOException {
    SnapshotReceiver receiver = new SnapshotReceiver(new FileSnapshotStore(dir)::receive);
    SnapshotMeta meta = new SnapshotMeta(50, 3);
    byte[] data = bytes(5000, 3);
    assertEquals(5000, receiver.store(7, meta, 0, ByteString.copyFrom(data)));
    SnapshotReceiver.Completion c = receiver.complete(7, meta, 5000, crc(data) ^ 1);
    assertTrue(c.checksumMismatch());
    assertTrue(c.snapshot().isEmpty());
    assertEquals(0, c.next(), "the sender starts over");
    assertEquals(0, receiver.next(7));
    assertEquals(0, partialFiles(), "the bytes are gone");
    assertTrue(new FileSnapshotStore(dir).latest().isEmpty(), "nothing was installed");
  }

  @Test
  void aDiscardedTransferLeavesNoPartialFile() throws IOException {
    SnapshotReceiver receiver = new SnapshotReceiver(new FileSnapshotStore(dir)::receive);
    SnapshotMeta meta = new SnapshotMeta(50, 3);
    receiver.store(4, meta, 0, ByteString.copyFrom(bytes(3000, 4)));
    assertEquals(1, partialFiles());
    receiver.discard(3);
    assertEquals(1, partialFiles(), "discarding another transfer changes nothing");
    assertEquals(3000, receiver.next(4));
    receiver.discard(4);
    assertEquals(0, partialFiles());
    assertEquals(0, receiver.next(4));
  }

  @Test
  void aSnapshotKeepsItsConfigurationWithTheStateButReadsAsTheStateAlone() throws IOException {
    byte[] state = bytes(70_000, 8);
    SnapshotMeta meta = new SnapshotMeta(90, 4, Optional.of(JOINT), 85);
    SnapshotData written = new FileSnapshotStore(dir).write(meta, out -> out.write(state));
    assertEquals(meta, written.meta());
    assertEquals(state.length, written.size());

    SnapshotData latest = new FileSnapshotStore(dir).latest().orElseThrow();
    assertEquals(meta, latest.meta());
    assertEquals(Optional.of(JOINT), latest.meta().config());
    assertEquals(85, latest.meta().configIndex());
    assertEquals(state.length, latest.size(), "the size a leader streams is the state's");
    assertArrayEquals(state, readAll(latest));
    assertEquals(ByteString.copyFrom(state, state.length - 100, 100), latest.read(state.length - 100, 1000),
        "a chunk read at the end stops at the state's end");
    assertTrue(latest.read(state.length, 10).isEmpty());

    byte[] file = Files.readAllBytes(dir.resolve(FileSnapshotStore.fileName(meta)));
    byte[] config = JOINT.toProto().toByteArray();
    assertEquals(state.length + config.length + FileSnapshotStore.TRAILER_V2_BYTES, file.length);
    assertArrayEquals(config, Arrays.copyOfRange(file, state.length, state.length + config.length));
    assertEquals(FileSnapshotStore.MAGIC2, ByteBuffer.wrap(file, file.length - 8, 8).getLong());
  }

  @Test
  void aSnapshotWithoutAConfigurationIsWrittenInTheFirstLayoutSoAnEarlierVersionReadsIt() throws IOException {
    byte[] state = bytes(5000, 9);
    new FileSnapshotStore(dir).write(new SnapshotMeta(30, 2), out -> out.write(state));
    SnapshotData latest = new FileSnapshotStore(dir).latest().orElseThrow();
    assertEquals(new SnapshotMeta(30, 2), latest.meta());
    assertEquals(Optional.empty(), latest.meta().config());
    assertArrayEquals(state, readAll(latest));
    byte[] file = Files.readAllBytes(dir.resolve(FileSnapshotStore.fileName(latest.meta())));
    assertEquals(state.length + FileSnapshotStore.TRAILER_BYTES, file.length);
    assertEquals(FileSnapshotStore.MAGIC, ByteBuffer.wrap(file, file.length - 8, 8).getLong());
  }

  @Test
  void aFileOfTheFirstLayoutReadsAsASnapshotWithoutAConfiguration() throws IOException {
    byte[] state = bytes(3000, 10);
    ByteBuffer file = ByteBuffer.allocate(state.length + 8 + 4 + 8);
    file.put(state).putLong(state.length).putInt((int) crc(state)).putLong(0x4348524e534e4150L); // "CHRNSNAP"
    Files.write(dir.resolve("snapshot-00000000000000000012-3.snap"), file.array());

    SnapshotData latest = new FileSnapshotStore(dir).latest().orElseThrow();
    assertEquals(new SnapshotMeta(12, 3), latest.meta());
    assertEquals(state.length, latest.size());
    assertArrayEquals(state, readAll(latest));
  }

  @Test
  void aSnapshotWhoseConfigurationBytesAreFlippedIsRefusedLikeAnyCorruptSnapshot() throws IOException {
    byte[] state = bytes(4000, 11);
    SnapshotMeta meta = new SnapshotMeta(90, 4, Optional.of(JOINT), 85);
    new FileSnapshotStore(dir).write(meta, out -> out.write(state));
    Path file = dir.resolve(FileSnapshotStore.fileName(meta));
    byte[] flipped = Files.readAllBytes(file);
    flipped[state.length + 3] ^= 0x01; // inside the configuration
    Files.write(file, flipped);
    IOException e = assertThrows(FileSnapshotStore.CorruptSnapshotException.class, new FileSnapshotStore(dir)::latest);
    assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains("Move the replica's directory"),
        e.getMessage());
  }

  @Test
  void aConfigurationThatMatchesItsChecksumButBreaksAnInvariantIsRefusedLikeACorruptSnapshot() throws IOException {
    byte[] state = bytes(100, 12);
    Member n1 = Member.newBuilder().setId("n1").setNode("n1").setStore(Configuration.LEGACY_STORE).build();
    byte[] config = GroupConfig.newBuilder().addVoters(n1).addLearners(n1).setNextReplicaId(1).build().toByteArray();
    byte[] stateAndConfig = ByteBuffer.allocate(state.length + config.length).put(state).put(config).array();
    ByteBuffer file = ByteBuffer.allocate(stateAndConfig.length + FileSnapshotStore.TRAILER_V2_BYTES);
    file.put(stateAndConfig).putInt(config.length).putLong(5).putLong(state.length).putInt((int) crc(stateAndConfig))
        .putLong(FileSnapshotStore.MAGIC2);
    Files.write(dir.resolve(FileSnapshotStore.fileName(new SnapshotMeta(9, 1))), file.array());

    IOException e = assertThrows(FileSnapshotStore.CorruptSnapshotException.class, new FileSnapshotStore(dir)::latest);
    assertTrue(e.getMessage().contains("configuration") && e.getMessage().contains("both a learner and a voter")
        && e.getMessage().contains("Move the replica's directory"), e.getMessage());
  }

  @Test
  void aReceivedSnapshotIsSavedWithTheConfigurationItsChunksCarried() throws IOException {
    SnapshotReceiver receiver = new SnapshotReceiver(new FileSnapshotStore(dir)::receive);
    SnapshotMeta leaders = new SnapshotMeta(50, 3, Optional.of(JOINT), 41);
    byte[] data = bytes(9000, 13);
    assertEquals(6000, receiver.store(5, leaders, 0, ByteString.copyFrom(data, 0, 6000)));
    assertEquals(Optional.of(leaders), receiver.receiving());
    assertEquals(9000, receiver.store(5, new SnapshotMeta(50, 3), 6000, ByteString.copyFrom(data, 6000, 3000)),
        "the configuration is no part of the transfer's name");
    SnapshotData done = receiver.complete(5, new SnapshotMeta(50, 3), data.length, crc(data)).snapshot().orElseThrow();
    assertEquals(leaders, done.meta());
    assertEquals(data.length, done.size());

    SnapshotData reopened = new FileSnapshotStore(dir).latest().orElseThrow();
    assertEquals(leaders, reopened.meta(), "durably");
    assertArrayEquals(data, readAll(reopened));
  }

  @Test
  void aMetaNamesAConfigurationOfAnEntryItCoversOrNone() {
    assertThrows(IllegalArgumentException.class, () -> new SnapshotMeta(10, 1, Optional.of(JOINT), 11));
    assertThrows(IllegalArgumentException.class, () -> new SnapshotMeta(10, 1, Optional.of(JOINT), 0));
    assertThrows(IllegalArgumentException.class, () -> new SnapshotMeta(10, 1, Optional.empty(), 3));
    assertEquals("snapshot@10/term 1", new SnapshotMeta(10, 1).toString());
    assertTrue(new SnapshotMeta(10, 1, Optional.of(JOINT), 10).toString().contains("config@10 voters=(n1 n4/4 n5/5)"));
  }

  private long partialFiles() throws IOException {
    try (java.util.stream.Stream<java.nio.file.Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".partial")).count();
    }
  }

  private static long crc(byte[] data) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(data);
    return crc.getValue();
  }
}
