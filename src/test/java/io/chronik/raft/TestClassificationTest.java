package io.chronik.raft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fast loop ({@code ./mvnw test -Pfast}) leaves out the test classes tagged {@code cluster}
 * (Akka Cluster ActorSystems on real Artery in this JVM) and {@code processes} (child JVMs or
 * scripts). The tag, written by whoever writes the test, is the mechanism; this is its backstop: a
 * test class that starts a cluster or a process in one of the usual ways must carry the tag, so
 * that the fast loop stays fast and in one JVM.
 */
class TestClassificationTest {
  private static final Path TESTS = Path.of("src", "test", "java");

  /** What a test class's source shows when it starts one, and the tag that says so. */
  private static final Map<String, String> STARTS = Map.of(
      "TestCluster(", "cluster", // ActorSystems with Artery on 127.0.0.1
      "akka.actor.provider = cluster", "cluster",
      "ProcessBuilder", "processes",
      "new LocalCluster(", "processes", // node JVMs of the server command
      "ProcessWorkload", "processes",
      "execute(\"cluster\"", "processes", // the cluster command starts node JVMs
      "execute(\"bench\"", "processes");

  @Test
  void everyTestClassThatStartsAClusterOrAProcessIsTaggedSo() throws IOException {
    List<String> untagged = new ArrayList<>();
    try (Stream<Path> files = Files.walk(TESTS)) {
      for (Path file : files.filter(f -> f.toString().endsWith("Test.java")).sorted().toList()) {
        if (file.getFileName().toString().equals(getClass().getSimpleName() + ".java")) continue;
        String source = Files.readString(file);
        STARTS.forEach((sign, tag) -> {
          if (source.contains(sign) && !source.contains("@Tag(\"" + tag + "\")")) {
            untagged.add(TESTS.relativize(file) + " uses " + sign + " but has no @Tag(\"" + tag + "\")");
          }
        });
      }
    }
    assertTrue(untagged.isEmpty(), String.join("\n", untagged));
  }

  @Test
  void theSourcesAreWhereThisTestLooks() {
    assertTrue(Files.isRegularFile(TESTS.resolve("io/chronik/raft/replica/SafetySimulationTest.java")),
        "run from the project's directory (surefire's default)");
  }
}
