package io.chronik.raft.transcript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TranscriptsTest {
  /** The file format itself must be strict: a step without its ---- is an error, not a pass. */
  @Test
  void aStepWithoutItsSeparatorIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> Transcripts.parse("read r1 policy=safe\n"));
    assertEquals(1, Transcripts.parse("read r1 policy=safe\n----").size());
  }

  @Test
  void aDifferentOutputOrAThrowingStepIsAMismatch(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("echo.txt");
    Files.writeString(file, "# echoes\necho a\n----\na\n\necho b\n----\nb\n");
    assertTrue(Transcripts.matches(file, line -> Transcripts.words(line).get(0) + "\n"));
    assertFalse(Transcripts.matches(file, line -> "x\n"), "every step prints x");
    assertFalse(Transcripts.matches(file, line -> {
      throw new IllegalStateException("broken");
    }));
  }

  @Test
  void stepsSplitIntoCommandWordsAndArguments() {
    String line = "deliver AppendEntries from=a term=2";
    assertEquals("deliver", Transcripts.command(line));
    assertEquals(List.of("AppendEntries"), Transcripts.words(line));
    assertEquals(Map.of("from", "a", "term", "2"), Transcripts.args(line));
  }
}
