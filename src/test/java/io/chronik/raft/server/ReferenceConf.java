package io.chronik.raft.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of src/main/resources/reference.conf as written there: each key under
 * {@code chronik} with the environment variables its {@code ${?NAME}} lines read, in order. A
 * line reader, not a HOCON parser: it knows the file's layout (one setting per line, blocks
 * opened by {@code name {} and closed by a line of their own); ConfigSchemeTest checks its result
 * against what Typesafe Config loads.
 */
final class ReferenceConf {
  static final Path FILE = Path.of("src", "main", "resources", "reference.conf");
  private static final Pattern BLOCK = Pattern.compile("^\\s*([\\w.-]+)\\s*\\{\\s*$");
  private static final Pattern SETTING = Pattern.compile("^\\s*([\\w.-]+)\\s*=\\s*(.*?)\\s*$");
  private static final Pattern VARIABLE = Pattern.compile("^\\$\\{\\?(\\w+)}$");

  private ReferenceConf() {}

  /** Each chronik key (full path, in file order) and the variables that may set it (in file order). */
  static Map<String, List<String>> settings() throws IOException {
    Map<String, List<String>> settings = new LinkedHashMap<>();
    Deque<String> blocks = new ArrayDeque<>();
    for (String line : Files.readAllLines(FILE)) {
      String text = line.strip();
      if (text.isEmpty() || text.startsWith("#")) continue;
      Matcher block = BLOCK.matcher(line);
      Matcher setting = SETTING.matcher(line);
      if (block.matches()) {
        blocks.addLast(block.group(1));
      } else if (text.equals("}")) {
        blocks.removeLast();
      } else if (setting.matches()) {
        List<String> path = new ArrayList<>(blocks);
        path.add(setting.group(1));
        String key = String.join(".", path);
        if (!key.startsWith("chronik.")) continue;
        List<String> variables = settings.computeIfAbsent(key, k -> new ArrayList<>());
        Matcher variable = VARIABLE.matcher(setting.group(2));
        if (variable.matches()) variables.add(variable.group(1));
      }
    }
    return settings;
  }

  /** The scheme: CHRONIK_ + the key under chronik, upper-cased, '.' and '-' as '_'. */
  static String variableFor(String key) {
    return "CHRONIK_" + key.substring("chronik.".length()).replaceAll("[.-]", "_").toUpperCase(Locale.ROOT);
  }
}
