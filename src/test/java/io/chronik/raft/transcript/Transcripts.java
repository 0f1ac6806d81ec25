package io.chronik.raft.transcript;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Golden transcripts in etcd raft's datadriven style ({@code testdata/*.txt}): a file is a script
 * of steps, each followed by {@code ----} and exactly what the code under test did in that step
 * (one line per message sent or answer given, in order), then a blank line. {@code #} lines are
 * comments. Any change of behaviour fails the file; {@code -Dtranscripts.rewrite=true} writes what
 * the code does now into the files instead (review the diff before committing it).
 *
 * <p>A {@link Script} interprets the steps of one kind of transcript; a fresh one runs each file.
 */
public final class Transcripts {
  private Transcripts() {}

  /** Interprets one step line and returns its output, each line ending in {@code \n} ("" for none). */
  @FunctionalInterface
  public interface Script {
    String step(String line);
  }

  /** A line of a transcript: a comment or blank line kept as it is, or a step and its expected output. */
  record Item(String text, boolean step, String expected) {}

  /** One test per {@code .txt} file in {@code dir}; fails unless there are at least {@code atLeast}. */
  public static Stream<DynamicTest> tests(Path dir, int atLeast, Supplier<Script> script) {
    List<Path> files = files(dir);
    assertTrue(files.size() >= atLeast, "expected at least " + atLeast + " transcripts in " + dir + ", found " + files);
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f, script.get())));
  }

  public static List<Path> files(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code file} and fails with every step whose output differs (or rewrites the file, see above). */
  public static void run(Path file, Script script) {
    List<String> mismatches = mismatches(file, script, Boolean.getBoolean("transcripts.rewrite"));
    assertTrue(mismatches.isEmpty(), file + ":\n" + String.join("\n", mismatches));
  }

  /**
   * Whether {@code file} runs as written with {@code script}: what a mutant test asks of the
   * standard rules (true) and of the mutant (false). A step that throws counts as a difference.
   */
  public static boolean matches(Path file, Script script) {
    return mismatches(file, script, false).isEmpty();
  }

  private static List<String> mismatches(Path file, Script script, boolean rewrite) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Item> items = parse(text);
    assertTrue(items.stream().filter(Item::step).count() >= 2, file + " has fewer than 2 steps");
    StringBuilder rewritten = new StringBuilder();
    List<String> mismatches = new ArrayList<>();
    for (Item item : items) {
      if (!item.step()) {
        rewritten.append(item.text()).append('\n');
        continue;
      }
      String actual;
      try {
        actual = script.step(item.text());
      } catch (RuntimeException e) {
        if (rewrite) throw e;
        mismatches.add(item.text() + "\n  threw " + e);
        break;
      }
      if (!actual.equals(item.expected())) {
        mismatches.add(item.text() + "\n  expected:\n" + indent(item.expected()) + "  actual:\n" + indent(actual));
      }
      rewritten.append(item.text()).append("\n----\n").append(actual);
    }
    if (rewrite) {
      try {
        Files.writeString(file, rewritten.toString().replaceAll("\n+$", "\n"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return List.of();
    }
    return mismatches;
  }

  static List<Item> parse(String text) {
    List<Item> items = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    int i = 0;
    while (i < lines.length) {
      String line = lines[i++];
      if (line.isBlank() || line.startsWith("#")) {
        items.add(new Item(line, false, ""));
        continue;
      }
      if (i >= lines.length || !lines[i].equals("----")) throw new IllegalArgumentException("no ---- after: " + line);
      i++;
      StringBuilder expected = new StringBuilder();
      while (i < lines.length && !lines[i].isEmpty()) expected.append(lines[i++]).append('\n');
      items.add(new Item(line, true, expected.toString()));
    }
    return items;
  }

  /** The words of a step after the first that are not {@code key=value}: {@code read r1 policy=safe} → [r1]. */
  public static List<String> words(String line) {
    String[] words = line.trim().split("\\s+");
    return Arrays.stream(words).skip(1).filter(w -> w.indexOf('=') <= 0).toList();
  }

  /** The step's name: its first word. */
  public static String command(String line) {
    return line.trim().split("\\s+")[0];
  }

  /** The step's {@code key=value} words, in order. */
  public static Map<String, String> args(String line) {
    Map<String, String> args = new LinkedHashMap<>();
    for (String w : line.trim().split("\\s+")) {
      int eq = w.indexOf('=');
      if (eq > 0) args.put(w.substring(0, eq), w.substring(eq + 1));
    }
    return args;
  }

  private static String indent(String s) {
    return s.isEmpty() ? "    (nothing)\n" : s.replaceAll("(?m)^", "    ");
  }
}
