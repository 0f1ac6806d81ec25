package io.chronik.raft.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupArchiveTest {
  @TempDir Path dir;

  @Test
  void anArchiveIsMadeAgainWhenMissingOlderThanTheJarOrMadeForAnotherClassPath() throws Exception {
    Path jar = Files.writeString(dir.resolve("chronik-node.jar"), "jar");
    Path archive = dir.resolve("chronik-node.jsa");
    Path trainedOn = StartupArchive.trainedClasspath(archive);
    String classpath = jar + ":/repo/guava-33.8.0-jre.jar";

    assertTrue(StartupArchive.stale(archive, jar, trainedOn, classpath), "no archive yet");

    Files.writeString(archive, "archive");
    Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(archive, FileTime.fromMillis(2_000_000));
    assertTrue(StartupArchive.stale(archive, jar, trainedOn, classpath),
        "an archive from before this check recorded its class path is made again");

    Files.writeString(trainedOn, classpath);
    assertFalse(StartupArchive.stale(archive, jar, trainedOn, classpath), "made for this jar and class path");

    assertTrue(StartupArchive.stale(archive, jar, trainedOn, jar + ":/repo/guava-21.0.jar"),
        "a dependency changed: the JVM would silently start without the archive");

    Files.setLastModifiedTime(jar, FileTime.fromMillis(3_000_000));
    assertTrue(StartupArchive.stale(archive, jar, trainedOn, classpath), "the project's classes were packed again");
  }
}
