package io.chronik.raft.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the embedded LevelDB journal force every acknowledged write to disk whole. On 64-bit JVMs
 * iq80 LevelDB 0.12 writes its log through {@code MMapLogWriter}, which maps 1 MiB windows and,
 * when a record crosses into the next window, unmaps the full one without {@code force()}: after
 * a power cut the first part of an acknowledged record may be missing (read with {@code javap -c}).
 * With {@code leveldb.mmap=false} it uses {@code FileChannelLogWriter}, whose {@code addRecord}
 * forces the channel when asked to sync. The property is read once, when {@code Iq80DBFactory} is
 * initialised, so it is set before any journal opens, unless the JVM was started with it.
 */
public final class LevelDbForcedWrites {
  private static final Logger log = LoggerFactory.getLogger(LevelDbForcedWrites.class);
  private static final String PROPERTY = "leveldb.mmap";

  private LevelDbForcedWrites() {}

  /** Call before the first LevelDB journal opens; warns when it is too late or overridden. */
  public static synchronized void ensure() {
    if (System.getProperty(PROPERTY) == null) System.setProperty(PROPERTY, "false");
    if (org.iq80.leveldb.impl.Iq80DBFactory.USE_MMAP) {
      log.warn("the LevelDB journal writes its log through memory maps ({}=true, or LevelDB was loaded before "
          + "chronik): a power cut can lose part of an acknowledged write. Start the JVM with -D{}=false.",
          PROPERTY, PROPERTY);
    }
  }
}
