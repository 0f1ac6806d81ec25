package io.chronik.raft.cluster;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

  /** Written whole or not at all ({@link StoreIdentity#writeDurably}); a failure only costs the quick restart. */
  static void save(Path dataDir, TopicCatalog catalog) {
    try {
      StoreIdentity.writeDurably(dataDir, FILE, catalog.bytes().toByteArray());
    } catch (UncheckedIOException e) {
      LOG.warn("{}; a restart starts the runtime topics' replicas once the metadata group answers", e.getMessage());
    }
  }
}
