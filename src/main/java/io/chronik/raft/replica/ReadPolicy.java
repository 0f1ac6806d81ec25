package io.chronik.raft.replica;

import java.util.Locale;

/**
 * How a replica answers a read (chronik.raft.follower-read-policy, env
 * CHRONIK_RAFT_FOLLOWER_READ_POLICY or the older CHRONIK_FOLLOWER_READ_POLICY, or per request).
 */
public enum ReadPolicy {
  /** Forward the read to the leader, which serves it after confirming its leadership. */
  NONE,
  /** ReadIndex (thesis §6.4): linearizable, served by whichever replica received it. */
  SAFE,
  /** Local applied state, possibly stale. With a minimum index: read-your-writes only. */
  UNSAFE;

  public static ReadPolicy parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown read policy '" + value + "': use none (forward to the leader), safe (ReadIndex) or unsafe (local)");
    }
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
