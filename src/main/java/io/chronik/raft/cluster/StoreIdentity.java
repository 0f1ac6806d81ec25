package io.chronik.raft.cluster;

import io.chronik.raft.core.Configuration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Whose a data directory is: the node it belongs to and its store id, in {@code store.pb}, written
 * once when the directory is first used. A wiped or replaced directory gets a new store id, so the
 * replicas it held can come back only as new members: a replica that lost its data may have
 * granted votes and acknowledged entries it no longer has (a group's configuration names each
 * member's store, and nodes drop messages meant for another store). A directory that already held
 * data before store ids existed is the {@link Configuration#LEGACY_STORE}.
 */
public record StoreIdentity(String nodeId, String storeId) {
  public static final String FILE = "store.pb";

  /**
   * Reads {@code dataDir}'s identity, or gives the directory one. Refuses a directory of another
   * node: two nodes' replicas must never share, or swap, their durable state.
   */
  public static StoreIdentity loadOrCreate(Path dataDir, String nodeId) {
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        io.chronik.raft.rpc.StoreIdentity stored = io.chronik.raft.rpc.StoreIdentity.parseFrom(Files.readAllBytes(file));
        if (!stored.getNodeId().equals(nodeId)) {
          throw new IllegalStateException("data directory " + dataDir + " belongs to node " + stored.getNodeId()
              + " (store " + stored.getStoreId() + "); this node is " + nodeId + ". Point chronik.data-dir at this "
              + "node's own directory, or at an empty one to join as a new member");
        }
        if (stored.getStoreId().isEmpty()) throw new IllegalStateException(file + " names no store id; it is damaged");
        return new StoreIdentity(nodeId, stored.getStoreId());
      }
      String storeId = holdsData(dataDir) ? Configuration.LEGACY_STORE : newStoreId();
      write(dataDir, io.chronik.raft.rpc.StoreIdentity.newBuilder().setNodeId(nodeId).setStoreId(storeId).build());
      return new StoreIdentity(nodeId, storeId);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file + ": " + e.getMessage()
          + "; check that chronik.data-dir is a writable directory", e);
    }
  }

  /**
   * The members this node retired, kept in {@code dataDir}'s {@code store.pb} (see {@link
   * NodeHost.Tombstones}); each retirement is durable before it is acted on.
   */
  public static NodeHost.Tombstones tombstones(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    return new NodeHost.Tombstones() {
      @Override
      public java.util.Map<String, String> retired() {
        synchronized (StoreIdentity.class) {
          return java.util.Map.copyOf(read(file).getRetiredMap());
        }
      }

      @Override
      public void retire(String group, String member) {
        synchronized (StoreIdentity.class) { // one writer of store.pb at a time (see adoptClusterId)
          write(dataDir, read(file).toBuilder().putRetired(group, member).build());
        }
      }
    };
  }

  /** The cluster {@code dataDir}'s data belongs to; empty before this node first reached the metadata group. */
  public static String clusterId(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    return Files.exists(file) ? read(file).getClusterId() : "";
  }

  /** Records, durably, that {@code dataDir}'s data belongs to cluster {@code clusterId}. */
  public static synchronized void adoptClusterId(Path dataDir, String clusterId) {
    write(dataDir, read(dataDir.resolve(FILE)).toBuilder().setClusterId(clusterId).build());
  }

  private static io.chronik.raft.rpc.StoreIdentity read(Path file) {
    try {
      return io.chronik.raft.rpc.StoreIdentity.parseFrom(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static void write(Path dataDir, io.chronik.raft.rpc.StoreIdentity identity) {
    writeDurably(dataDir, FILE, identity.toByteArray());
  }

  /**
   * Replaces {@code dataDir/name} atomically and durably (write, fsync, rename, fsync the
   * directory): a crash leaves the old file or the new one, whole.
   */
  static void writeDurably(Path dataDir, String name, byte[] bytes) {
    Path file = dataDir.resolve(name);
    Path tmp = dataDir.resolve(name + ".tmp");
    try {
      Files.createDirectories(dataDir);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(dataDir, StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage()
          + "; check that chronik.data-dir is a writable directory", e);
    }
  }

  private static boolean holdsData(Path dataDir) throws IOException {
    if (!Files.isDirectory(dataDir)) return false;
    try (Stream<Path> entries = Files.list(dataDir)) {
      return entries.anyMatch(p -> !p.getFileName().toString().startsWith(FILE));
    }
  }

  private static String newStoreId() {
    return randomId("s-");
  }

  /** {@code prefix} and 12 random hex digits: a store's or a cluster's id. */
  static String randomId(String prefix) {
    byte[] random = new byte[6];
    new SecureRandom().nextBytes(random);
    return prefix + HexFormat.of().formatHex(random);
  }
}
