package io.chronik.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules the package-info files state, read from the main sources' imports (and
 * fully qualified names in code; comments and strings do not count).
 */
class PackageLayoutTest {
  private static final Path MAIN = Path.of("src", "main", "java");
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
  private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)\\s*;", Pattern.MULTILINE);
  private static final Pattern QUALIFIED = Pattern.compile("\\b(io\\.chronik\\.raft(?:\\.[a-z]\\w*)+)\\.[A-Z]");
  private static final Set<String> TOOLS = Set.of("server", "cli", "client", "launcher", "demo", "bench");

  /** Each package of src/main/java (short name: "statemachine.recordlog") to the packages it uses. */
  private static Map<String, Set<String>> uses() throws IOException {
    Map<String, Set<String>> uses = new TreeMap<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        String src = Files.readString(f);
        Matcher pkg = PACKAGE.matcher(src);
        if (!pkg.find()) continue;
        Set<String> used = uses.computeIfAbsent(pkg.group(1), p -> new TreeSet<>());
        String code = src.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "")
            .replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
        Matcher m = IMPORT.matcher(code);
        while (m.find()) used.add(packageOf(m.group(1)));
        m = QUALIFIED.matcher(code);
        while (m.find()) used.add(m.group(1));
        used.remove(pkg.group(1));
      }
    }
    Map<String, Set<String>> own = new TreeMap<>();
    uses.forEach((p, u) -> own.put(shortName(p), u.stream().filter(uses::containsKey).map(PackageLayoutTest::shortName)
        .collect(java.util.stream.Collectors.toCollection(TreeSet::new))));
    return own;
  }

  private static String packageOf(String imported) {
    List<String> parts = new ArrayList<>();
    for (String s : imported.split("\\.")) {
      if (Character.isUpperCase(s.charAt(0)) || s.equals("*")) break;
      parts.add(s);
    }
    return String.join(".", parts);
  }

  private static String shortName(String pkg) {
    return pkg.equals("io.chronik.raft") ? "" : pkg.substring("io.chronik.raft.".length());
  }

  @Test
  void noPackageDependsOnItselfThroughOthers() throws IOException {
    Map<String, Set<String>> uses = uses();
    List<String> cycles = new ArrayList<>();
    for (String p : uses.keySet()) {
      Set<String> reached = new TreeSet<>();
      List<String> todo = new ArrayList<>(uses.get(p));
      while (!todo.isEmpty()) {
        String q = todo.remove(todo.size() - 1);
        if (reached.add(q)) todo.addAll(uses.getOrDefault(q, Set.of()));
      }
      if (reached.contains(p)) cycles.add(p);
    }
    assertEquals(List.of(), cycles, "packages on an import cycle; uses: " + uses);
  }

  @Test
  void theEngineUsesNoneOfTheToolsAndNothingUsesTheCommandLine() throws IOException {
    List<String> wrong = new ArrayList<>();
    uses().forEach((p, used) -> {
      for (String q : used) {
        if (q.equals("cli") || (!TOOLS.contains(p) && TOOLS.contains(q))) wrong.add(p + " -> " + q);
      }
    });
    assertEquals(List.of(), wrong);
  }

  @Test
  void theCoreImportsNoAkka() throws IOException {
    List<String> akka = new ArrayList<>();
    try (Stream<Path> files = Files.list(MAIN.resolve(Path.of("io", "chronik", "raft", "core")))) {
      files.forEach(f -> {
        try {
          if (Files.readString(f).contains("import akka.")) akka.add(f.getFileName().toString());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    assertEquals(List.of(), akka);
  }
}
