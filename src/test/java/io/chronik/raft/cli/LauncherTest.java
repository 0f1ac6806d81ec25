package io.chronik.raft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.client.ClientCommands;
import io.chronik.raft.testing.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/chronik, run as a user runs it: from elsewhere, through a link, before and after a build. */
@Tag("processes")
class LauncherTest {
  private static final Path LAUNCHER = Path.of("bin", "chronik").toAbsolutePath();

  record Result(int code, String out, String err) {}

  private static Result run(Path script, Path workingDirectory, String... args) throws Exception {
    return run(script, workingDirectory, Map.of(), args);
  }

  private static Result run(Path script, Path workingDirectory, Map<String, String> env, String... args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("launcher-out", ".txt");
    Path err = Files.createTempFile("launcher-err", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().putAll(env);
    Process p = builder.start();
    if (!p.waitFor(150, TimeUnit.SECONDS)) { // a server's first start after a build also makes its archive
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish within 150 s");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void runsFromAnyDirectoryAndThroughALink(@TempDir Path elsewhere) throws Exception {
    Result direct = run(LAUNCHER, elsewhere, "--version");
    assertEquals(0, direct.code(), direct.toString());
    assertTrue(direct.out().contains("chronik-raft"), direct.toString());

    Path link = Files.createSymbolicLink(elsewhere.resolve("chronik"), LAUNCHER);
    Result linked = run(link, elsewhere, "--version");
    assertEquals(0, linked.code(), linked.toString());
    assertTrue(linked.out().contains("chronik-raft"), linked.toString());
    Files.delete(link); // before @TempDir's clean-up, which warns about links that lead out of it
  }

  /**
   * {@code server} runs on the build's class-data archive (made on the first server start after a
   * build: up to about 10 s more, once), so chronik's own classes come out of it; with
   * CHRONIK_START_UP_ARCHIVE=off they come from target/classes.
   */
  @Test
  void aServerStartsOnTheBuildsClassDataArchive(@TempDir Path elsewhere) throws Exception {
    Path withArchive = elsewhere.resolve("with-archive.log");
    Result on = run(LAUNCHER, elsewhere, Map.of("CHRONIK_JAVA_OPTS", "-Xlog:class+load=info:file=" + withArchive),
        "server", "--help");
    assertEquals(0, on.code(), on.toString());
    assertTrue(on.out().startsWith("Usage: chronik server"), on.toString());
    String main = "io.chronik.raft.cli.Main source: ";
    assertTrue(Files.readString(withArchive).contains(main + "shared objects file"),
        "chronik's classes come from the archive: " + loadedMain(withArchive) + "\n" + on);

    Path without = elsewhere.resolve("without.log");
    Result off = run(LAUNCHER, elsewhere, Map.of("CHRONIK_START_UP_ARCHIVE", "off",
        "CHRONIK_JAVA_OPTS", "-Xlog:class+load=info:file=" + without), "server", "--help");
    assertEquals(0, off.code(), off.toString());
    assertTrue(Files.readString(without).contains(main + "file:"), "from target/classes: " + loadedMain(without));
  }

  private static String loadedMain(Path classLog) throws Exception {
    return Files.readAllLines(classLog).stream().filter(l -> l.contains("io.chronik.raft.cli.Main ")).findFirst()
        .orElse("(io.chronik.raft.cli.Main not in " + classLog + ")");
  }

  @Test
  void withoutABuildItSaysWhatToRun(@TempDir Path checkout) throws Exception {
    Path copy = Files.createDirectories(checkout.resolve("bin")).resolve("chronik");
    Files.copy(LAUNCHER, copy);
    Result r = run(copy, checkout, "status");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("./mvnw -q compile"), r.toString());
  }

  /** The whole path of a failing call in its own JVM: one line with the gRPC status, nothing from logging. */
  @Test
  void aFailedCallIsOneLineOnStandardError(@TempDir Path elsewhere) throws Exception {
    int closed = FreePorts.one();
    Result r = run(LAUNCHER, elsewhere, "status", "--target", "127.0.0.1:" + closed);
    assertEquals(ClientCommands.CALL_FAILED, r.code(), r.toString());
    assertEquals("", r.out(), r.toString());
    assertEquals(1, r.err().lines().count(), r.toString());
    assertTrue(r.err().startsWith("UNAVAILABLE: "), r.toString());
  }
}
