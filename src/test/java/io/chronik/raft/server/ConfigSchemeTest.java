package io.chronik.raft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * One configuration scheme: every setting chronik.<key> of reference.conf can be set by the
 * environment variable CHRONIK_<KEY> and by no other name (apart from two documented older ones),
 * and the README's configuration table lists every setting with its variable.
 */
class ConfigSchemeTest {
  /** Older names kept because deployments use them; each sits before its systematic name, which wins. */
  static final Map<String, String> LEGACY = Map.of(
      "CHRONIK_FOLLOWER_READ_POLICY", "chronik.raft.follower-read-policy",
      "CHRONIK_READ_INDEX_TIMEOUT", "chronik.raft.read-index-timeout");
  /** A list of objects: no environment variable can express it. */
  static final Set<String> WITHOUT_VARIABLE = Set.of("chronik.topics");
  private static final Path NO_FILE = Path.of("target", "no-such-application.conf");

  /** The settings that hold a value (not those that are objects of other settings). */
  static Map<String, List<String>> leaves() throws Exception {
    Map<String, List<String>> all = ReferenceConf.settings();
    Map<String, List<String>> leaves = new java.util.LinkedHashMap<>(all);
    leaves.keySet().removeIf(key -> all.keySet().stream().anyMatch(other -> other.startsWith(key + ".")));
    return leaves;
  }

  @Test
  void everyVariableIsNamedAfterTheSettingItSets() throws Exception {
    List<String> wrong = new ArrayList<>();
    ReferenceConf.settings().forEach((key, variables) -> {
      for (String v : variables) {
        if (!v.equals(ReferenceConf.variableFor(key)) && !key.equals(LEGACY.get(v))) wrong.add(key + " <- " + v);
      }
    });
    assertEquals(List.of(), wrong, "variables not named CHRONIK_ + the key (upper-cased, '.' and '-' as '_')");
  }

  @Test
  void everySettingHasItsVariable() throws Exception {
    List<String> missing = new ArrayList<>();
    leaves().forEach((key, variables) -> {
      if (!WITHOUT_VARIABLE.contains(key) && !variables.contains(ReferenceConf.variableFor(key))) {
        missing.add(key + " (" + ReferenceConf.variableFor(key) + ")");
      }
    });
    assertEquals(List.of(), missing, "settings without their ${?CHRONIK_...} line in reference.conf");
  }

  @Test
  void theOlderNamesComeFirstSoTheSystematicNameWins() throws Exception {
    Map<String, List<String>> settings = ReferenceConf.settings();
    LEGACY.forEach((legacy, key) ->
        assertEquals(List.of(legacy, ReferenceConf.variableFor(key)), settings.get(key), key));

    Config legacyOnly = ChronikConfig.load(NO_FILE, Map.of(),
        Map.of("CHRONIK_FOLLOWER_READ_POLICY", "unsafe", "CHRONIK_READ_INDEX_TIMEOUT", "7s"));
    assertEquals("unsafe", legacyOnly.getString("chronik.raft.follower-read-policy"));
    assertEquals(Duration.ofSeconds(7), legacyOnly.getDuration("chronik.raft.read-index-timeout"));

    Config both = ChronikConfig.load(NO_FILE, Map.of(), Map.of(
        "CHRONIK_FOLLOWER_READ_POLICY", "unsafe", "CHRONIK_RAFT_FOLLOWER_READ_POLICY", "none",
        "CHRONIK_READ_INDEX_TIMEOUT", "7s", "CHRONIK_RAFT_READ_INDEX_TIMEOUT", "9s"));
    assertEquals("none", both.getString("chronik.raft.follower-read-policy"));
    assertEquals(Duration.ofSeconds(9), both.getDuration("chronik.raft.read-index-timeout"));
  }

  /** The line reader above against Typesafe Config: the same settings, none missed, none invented. */
  @Test
  void theReaderSeesTheSettingsTypesafeConfigLoads() throws Exception {
    Config loaded = ChronikConfig.load(NO_FILE, Map.of(), Map.of());
    Set<String> read = leaves().keySet();
    Set<String> inherited = new TreeSet<>(); // the LevelDB plugin's own keys, from akka-persistence
    loaded.getConfig("akka.persistence.journal.leveldb").entrySet()
        .forEach(e -> inherited.add("chronik.journal.leveldb." + e.getKey()));
    Set<String> notRead = new TreeSet<>();
    loaded.getConfig("chronik").entrySet().forEach(e -> notRead.add("chronik." + e.getKey()));
    notRead.removeAll(read);
    notRead.removeAll(inherited);
    notRead.removeIf(ConfigFactory.systemProperties()::hasPath); // -D only, e.g. the tests' own chronik.sim.*
    assertEquals(Set.of(), notRead, "settings the reader missed");
    for (String key : read) assertTrue(loaded.hasPath(key), key + " is not a setting Typesafe Config loads");
  }

  @Test
  void theReadmeTableListsEverySettingWithItsVariable() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("\n## Configuration\n");
    assertTrue(start >= 0, "README has a section \"## Configuration\"");
    int end = readme.indexOf("\n## ", start + 1);
    List<String> rows = readme.substring(start, end < 0 ? readme.length() : end).lines()
        .filter(l -> l.startsWith("| `chronik.")).toList();
    Map<String, List<String>> leaves = leaves();
    List<String> problems = new ArrayList<>();
    for (String key : leaves.keySet()) {
      List<String> row = rows.stream().filter(r -> r.startsWith("| `" + key + "` |")).toList();
      if (row.size() != 1) {
        problems.add(key + ": " + row.size() + " rows");
      } else if (!WITHOUT_VARIABLE.contains(key) && !row.get(0).contains("`" + ReferenceConf.variableFor(key) + "`")) {
        problems.add(key + ": its row does not name " + ReferenceConf.variableFor(key));
      }
    }
    for (String row : rows) {
      String key = row.substring(3, row.indexOf('`', 3));
      if (!leaves.containsKey(key)) problems.add(key + ": in the README, not in reference.conf");
    }
    assertEquals(List.of(), problems);
  }
}
