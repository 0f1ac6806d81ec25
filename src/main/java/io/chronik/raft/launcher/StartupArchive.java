package io.chronik.raft.launcher;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Class data sharing for the node JVMs that {@link LocalCluster} and {@code bin/chronik server}
 * start (the latter through {@link StartUpArchiveCommand}): the classes a node loads
 * at start (Akka, akka-http, gRPC, protobuf, LevelDB, logback: about 7,600) go into a CDS archive
 * once per build, and every node maps it instead of reading and verifying them again. A node then
 * starts in 1.7 s instead of 3.1 s on an idle 2-core machine, and takes that much less CPU from
 * its busy neighbours when it restarts among them. CDS wants jars on the class path, so the
 * project's classes are packed into {@code target/chronik-node.jar} first; the archive is made by
 * one training run ({@code chronik warm-up} under {@code -XX:ArchiveClassesAtExit}). Anything that
 * fails here only costs the speed-up: the nodes then start without the archive.
 */
final class StartupArchive {
  /** The class path and JVM options for node processes. */
  record Launch(String classpath, List<String> jvmOptions) {}

  private StartupArchive() {}

  /**
   * Prepares (if needed) and returns the launch settings for {@code classpath} when it is this
   * project's build (target/classes plus the dependency jars); any other class path as it is.
   */
  static Launch forNodes(String classpath) {
    return forNodes(Path.of("").toAbsolutePath(), classpath, System.out);
  }

  /**
   * {@link #forNodes(String)} for the build under {@code root} (its {@code target/}), saying what
   * it does to {@code say}.
   */
  static Launch forNodes(Path root, String classpath, PrintStream say) {
    Path classes = root.resolve(Path.of("target", "classes")).toAbsolutePath().normalize();
    List<String> entries = List.of(classpath.split(File.pathSeparator));
    if (!Files.isDirectory(classes) || entries.stream().map(e -> Path.of(e).toAbsolutePath().normalize())
        .noneMatch(classes::equals)) {
      return new Launch(classpath, List.of());
    }
    try {
      Path jar = classes.resolveSibling("chronik-node.jar");
      Path archive = classes.resolveSibling("chronik-node.jsa");
      boolean jarRebuilt = packIfStale(classes, jar);
      List<String> withJar = new ArrayList<>();
      for (String e : entries) {
        withJar.add(Path.of(e).toAbsolutePath().normalize().equals(classes) ? jar.toString() : e);
      }
      String cp = String.join(File.pathSeparator, withJar);
      Path trainedOn = trainedClasspath(archive);
      if (jarRebuilt || stale(archive, jar, trainedOn, cp)) {
        Files.deleteIfExists(trainedOn);
        train(cp, archive, say);
        if (Files.exists(archive)) Files.writeString(trainedOn, cp);
      }
      return Files.exists(archive)
          ? new Launch(cp, List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto"))
          : new Launch(cp, List.of());
    } catch (IOException | InterruptedException e) {
      say.println("(node start-up archive not used: " + e + ")");
      return new Launch(classpath, List.of());
    }
  }

  /** Where the class path an archive was made with is kept, beside the archive. */
  static Path trainedClasspath(Path archive) {
    return archive.resolveSibling(archive.getFileName() + ".classpath");
  }

  /**
   * Whether {@code archive} must be made again for {@code classpath}: it is missing, older than the
   * project's jar, or was made with another class path. The JVM checks the class path when it maps
   * an archive and, under -Xshare:auto, silently starts without it when the path differs, so a
   * dependency upgrade would otherwise cost every node start its speed-up without a word.
   */
  static boolean stale(Path archive, Path jar, Path trainedOn, String classpath) throws IOException {
    return !Files.exists(archive) || !Files.exists(trainedOn)
        || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0
        || !Files.readString(trainedOn).equals(classpath);
  }

  /** Packs target/classes into {@code jar} unless it is newer than every class file; returns whether it did. */
  private static boolean packIfStale(Path classes, Path jar) throws IOException {
    FileTime newest;
    try (Stream<Path> files = Files.walk(classes)) {
      newest = files.filter(Files::isRegularFile).map(StartupArchive::modified).max(FileTime::compareTo)
          .orElse(FileTime.fromMillis(0));
    }
    if (Files.exists(jar) && Files.getLastModifiedTime(jar).compareTo(newest) > 0) return false;
    Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tmp)); Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
        Files.copy(f, (OutputStream) out);
        out.closeEntry();
      }
    }
    Files.move(tmp, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return true;
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(Long.MAX_VALUE);
    }
  }

  /** One node start and stop under -XX:ArchiveClassesAtExit, which writes the archive at exit. */
  private static void train(String classpath, Path archive, PrintStream say) throws IOException, InterruptedException {
    say.println("preparing a class-data archive for faster node starts (once per build, about 10 s) ...");
    Files.deleteIfExists(archive);
    Path log = archive.resolveSibling("chronik-node-archive.log");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:ArchiveClassesAtExit=" + archive, "-Xmx512m", "-XX:+UseSerialGC", "-cp", classpath,
        LocalCluster.MAIN_CLASS, "warm-up")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      Files.deleteIfExists(archive);
      say.println("(the archive's training run did not finish in 120 s; nodes start without it; see " + log + ")");
    } else if (p.exitValue() != 0 || !Files.exists(archive)) {
      Files.deleteIfExists(archive);
      say.println("(the archive's training run failed; nodes start without it; see " + log + ")");
    }
  }
}
