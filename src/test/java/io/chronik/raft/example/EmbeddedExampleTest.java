package io.chronik.raft.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding example as an application runs it: a JVM of its own, its own application.conf,
 * Akka's default settings (jvm-exit-on-fatal-error on), its working directory for data.
 */
@Tag("processes")
class EmbeddedExampleTest {
  @TempDir Path workDir;

  @Test
  void theExampleApplicationRunsWithOnlyTheDocumentedSettings() throws Exception {
    Path project = Path.of("").toAbsolutePath();
    String classpath = String.join(java.io.File.pathSeparator, project.resolve("target/test-classes").toString(),
        project.resolve("target/classes").toString(), Files.readString(project.resolve("target/classpath.txt")).trim());
    Path log = workDir.resolve("example.log");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, "-Dconfig.resource=example/application.conf",
        EmbeddedExample.class.getName(), String.valueOf(FreePorts.run(3)))
        .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = p.waitFor(150, TimeUnit.SECONDS);
    if (!ended) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    String out = Files.readString(log);
    assertTrue(ended, "the example did not finish within 150 s:\n" + out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("o-1 served by n1"), out);
    assertTrue(out.contains("alice = 100 by n1"), out);
    for (String n : List.of("n1", "n2", "n3")) {
      assertTrue(out.contains(n + " reads alice = 100 and 1 record(s), served by " + n), n + " serves its own reads:\n" + out);
    }
    assertTrue(out.contains("example done"), out);
    assertFalse(out.contains("Exception"), out);
    for (String n : List.of("n1", "n2", "n3")) {
      assertTrue(Files.isDirectory(workDir.resolve("data").resolve(n).resolve("journal")),
          "the library derived " + n + "'s journal directory under data/" + n);
    }
  }

  @Test
  void theReadmeSnippetIsTheCodeTheExampleRuns() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int section = readme.indexOf("## Embedding in an Akka Cluster application");
    int start = readme.indexOf("```java\n", section) + "```java\n".length();
    List<String> snippet = lines(readme.substring(start, readme.indexOf("```", start)));
    List<String> example = lines(Files.readString(Path.of("src/test/java/io/chronik/raft/example/EmbeddedExample.java")));
    assertFalse(snippet.isEmpty(), "no java snippet under Embedding");
    assertTrue(java.util.Collections.indexOfSubList(example, snippet) >= 0,
        "EmbeddedExample.java must contain the README's snippet line for line:\n" + String.join("\n", snippet));
  }

  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    for (String l : text.split("\n")) if (!l.isBlank()) out.add(l.strip());
    return out;
  }

}
