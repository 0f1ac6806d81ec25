package io.chronik.raft.cluster;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * This node's copy of the runtime topics ({@code <chronik.data-dir>/topics.pb}): a restarted node
 * starts the replicas of its runtime topics at once, before the metadata group answers. Only a
 * copy: the metadata group is the authority, and a node acts on what it reads there.
 */
final class TopicCatalogCache {
  static final String FILE = "topics.pb";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TopicCatalogCache.class);

  private TopicCatalogCache() {}

  static TopicCatalog load(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) return TopicCatalog.EMPTY;
    try {
      return TopicCatalog.parse(ByteString.copyFrom(Files.readAllBytes(file)));
    } catch (IOException | IllegalStateException e) {
      // A copy only: the metadata group gives the catalog again within a refresh.
      LOG.warn("ignoring {} ({}): the runtime topics' replicas start once the metadata group answers", file, e.toString());
      return TopicCatalog.EMPTY;
    }
  }

  /** Written to a temporary file, forced and renamed over the last copy, so a crash leaves one whole copy. */
  static void save(Path dataDir, TopicCatalog catalog) {
    try {
      Files.createDirectories(dataDir);
      Path tmp = dataDir.resolve(FILE + ".tmp");
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        out.write(catalog.bytes().asReadOnlyByteBuffer());
        out.force(true);
      }
      Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("writing the runtime topics to {} failed ({}); a restart starts their replicas once the metadata group "
          + "answers", dataDir.resolve(FILE), e.toString());
    }
  }
}
