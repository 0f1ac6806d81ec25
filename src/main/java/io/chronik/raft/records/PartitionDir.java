package io.chronik.raft.records;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where one partition's segment files live on a node: {@code <root>/gen-<n>/<base offset>.records}.
 *
 * <p>A generation is the set of files one state-machine instance writes. A replica that installs
 * a leader's snapshot builds the new state in a new generation while it goes on serving reads
 * from the old one, then switches; a replica that restarts from its own snapshot (a checkpoint
 * naming a generation) continues that generation. Either way, once an instance has taken its
 * generation the others are of no use to anyone and are deleted.
 */
public final class PartitionDir {
  private static final String PREFIX = "gen-";
  private static final String SUFFIX = ".records";
  private final Path root;
  private Path generation;

  public PartitionDir(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /** The generation this instance writes, created (and the others deleted) on first use. */
  String generationName() throws IOException {
    if (generation == null) startNewGeneration();
    return generation.getFileName().toString();
  }

  private void startNewGeneration() throws IOException {
    Files.createDirectories(root);
    long next = 1;
    for (Path g : generations()) next = Math.max(next, number(g) + 1);
    generation = Files.createDirectory(root.resolve(PREFIX + next));
    deleteOtherGenerations();
  }

  /** Continues generation {@code name} (a checkpoint's); fails when it is not there. */
  void adopt(String name) throws IOException {
    Path g = root.resolve(name);
    if (!name.startsWith(PREFIX) || !Files.isDirectory(g)) {
      throw new IOException("the snapshot refers to record files in " + g + ", which is not there");
    }
    generation = g;
    deleteOtherGenerations();
  }

  Segment create(long baseOffset) throws IOException {
    generationName();
    return FileSegment.create(generation.resolve(fileName(baseOffset)));
  }

  /** The segment of {@code baseOffset} in the current generation, if its file is there. */
  java.util.Optional<Segment> open(long baseOffset) throws IOException {
    Path p = generation.resolve(fileName(baseOffset));
    return Files.exists(p) ? java.util.Optional.of(FileSegment.open(p)) : java.util.Optional.empty();
  }

  /** A read-only view of a segment of generation {@code name}, if its file is there (a leader exporting a checkpoint). */
  java.util.Optional<Segment> openFrozen(String name, long baseOffset, long size) throws IOException {
    Path p = root.resolve(name).resolve(fileName(baseOffset));
    return Files.exists(p) ? java.util.Optional.of(FileSegment.frozen(p, size)) : java.util.Optional.empty();
  }

  void deleteSegmentFile(long baseOffset) throws IOException {
    Files.deleteIfExists(generation.resolve(fileName(baseOffset)));
  }

  /** Base offsets of the segment files in the current generation, ascending. */
  List<Long> segmentFiles() throws IOException {
    List<Long> bases = new ArrayList<>();
    try (Stream<Path> files = Files.list(generation)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
          .forEach(n -> bases.add(Long.parseLong(n.substring(0, n.length() - SUFFIX.length()))));
    }
    bases.sort(Comparator.naturalOrder());
    return bases;
  }

  /** Makes the current generation's directory entries durable (new and deleted files, the generation itself). */
  void forceDirectories() throws IOException {
    if (generation == null) return;
    forceDirectory(generation);
    forceDirectory(root);
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  static String fileName(long baseOffset) {
    return String.format("%020d%s", baseOffset, SUFFIX);
  }

  private List<Path> generations() throws IOException {
    if (!Files.isDirectory(root)) return List.of();
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p)).toList();
    }
  }

  private static long number(Path generation) {
    try {
      return Long.parseLong(generation.getFileName().toString().substring(PREFIX.length()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void deleteOtherGenerations() throws IOException {
    for (Path g : generations()) {
      if (!g.equals(generation)) deleteRecursively(g);
    }
  }

  /** Deletes {@code dir} and everything under it. */
  public static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
