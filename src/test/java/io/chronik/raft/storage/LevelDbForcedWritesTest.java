package io.chronik.raft.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The embedded journal's log writer forces whole records (no memory-mapped windows left unforced). */
class LevelDbForcedWritesTest {
  @Test
  void theJournalsLogIsWrittenThroughAForcedFileChannelNotMemoryMaps() throws Exception {
    JournalStorage.factory("p", "chronik.journal.leveldb", java.nio.file.Path.of("target", "unused")); // what every replica's storage does first
    assertFalse(org.iq80.leveldb.impl.Iq80DBFactory.USE_MMAP, "LevelDB must not write its log through memory maps");
    Path dir = Files.createTempDirectory(Path.of("target"), "leveldb-log-");
    org.iq80.leveldb.impl.LogWriter writer = org.iq80.leveldb.impl.Logs.createLogWriter(dir.resolve("1.log").toFile(), 1);
    try {
      assertInstanceOf(org.iq80.leveldb.impl.FileChannelLogWriter.class, writer);
    } finally {
      writer.delete();
    }
  }
}
