package io.chronik.raft.replica;

import com.typesafe.config.Config;
import java.time.Duration;

/** Tuning of one replica; read from {@code chronik.raft} (see reference.conf for each key). */
public record ReplicaSettings(
    Duration electionTimeout,
    Duration heartbeatInterval,
    int maxEntryBytes,
    int maxAppendBytes,
    int maxAppendEntries,
    int maxInflightAppends,
    boolean preVote,
    boolean checkQuorum,
    int stashCapacity,
    Duration storageRestartBackoff,
    Duration readIndexTimeout,
    ReadPolicy defaultReadPolicy,
    long maxReadLag) {

  public ReplicaSettings {
    if (heartbeatInterval.compareTo(electionTimeout) >= 0) {
      throw new IllegalArgumentException(
          "chronik.raft.heartbeat-interval (" + heartbeatInterval + ") must be shorter than "
              + "chronik.raft.election-timeout (" + electionTimeout + "); a few times shorter is usual");
    }
    if (readIndexTimeout.isNegative() || readIndexTimeout.isZero()) {
      throw new IllegalArgumentException("chronik.raft.read-index-timeout must be positive, got " + readIndexTimeout);
    }
    if (maxEntryBytes <= 0 || maxAppendBytes <= 0 || maxAppendEntries <= 0 || maxInflightAppends <= 0) {
      throw new IllegalArgumentException("chronik.raft size and in-flight limits must be positive");
    }
  }

  public static ReplicaSettings fromConfig(Config raft) {
    return new ReplicaSettings(
        raft.getDuration("election-timeout"),
        raft.getDuration("heartbeat-interval"),
        (int) raft.getBytes("max-entry-bytes").longValue(),
        (int) raft.getBytes("max-append-bytes").longValue(),
        raft.getInt("max-append-entries"),
        raft.getInt("max-inflight-appends"),
        raft.getBoolean("pre-vote"),
        raft.getBoolean("check-quorum"),
        raft.getInt("stash-capacity"),
        raft.getDuration("storage-restart-backoff"),
        raft.getDuration("read-index-timeout"),
        ReadPolicy.parse(raft.getString("follower-read-policy")),
        raft.getLong("max-read-lag"));
  }

}
