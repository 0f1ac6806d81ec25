package io.chronik.raft.replica;

import com.typesafe.config.Config;
import io.chronik.raft.core.RaftRules;
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
    long maxReadLag,
    Duration proposalTimeout,
    boolean leaderBalancing,
    Duration leaderBalanceDelay,
    Snapshots snapshots,
    int readIndexPipeline,
    Duration storageRestartMaxBackoff,
    RaftRules rules) {

  /** The longest wait between two recoveries of a replica whose disk keeps failing, unless configured. */
  public static final Duration DEFAULT_STORAGE_RESTART_MAX_BACKOFF = Duration.ofSeconds(5);

  /**
   * A follower's ReadIndex requests in flight at once (reads arriving while all are out go with the
   * next). 1 by default: deeper pipelines doubled the leader's messages per follower read in
   * {@code bench} without raising throughput on 2 cores (see reference.conf).
   */
  public static final int DEFAULT_READ_INDEX_PIPELINE = 1;

  /**
   * When a replica snapshots its state and compacts its log (Raft §7): after {@code entries}
   * applied entries or {@code bytes} of applied commands since the last snapshot, whichever comes
   * first. {@code retainedEntries} entries before the snapshot stay in memory, so that a follower
   * slightly behind still gets entries instead of the whole snapshot. InstallSnapshot sends
   * {@code chunkBytes} at a time, within the node's budget {@code throttle} (one object per node,
   * shared by its replicas).
   */
  public record Snapshots(long entries, long bytes, int retainedEntries, int chunkBytes, SnapshotThrottle throttle) {
    public Snapshots {
      if (entries <= 0 || bytes <= 0 || retainedEntries < 0 || chunkBytes <= 0) {
        throw new IllegalArgumentException("chronik.raft.snapshot: entries, bytes and chunk-bytes must be positive "
            + "and retained-entries >= 0");
      }
      if (throttle == null) throw new IllegalArgumentException("throttle must not be null; SnapshotThrottle.UNLIMITED");
    }

    /** Snapshots sent without a budget. */
    public Snapshots(long entries, long bytes, int retainedEntries, int chunkBytes) {
      this(entries, bytes, retainedEntries, chunkBytes, SnapshotThrottle.UNLIMITED);
    }

    /** The defaults of reference.conf. */
    public static final Snapshots DEFAULT = new Snapshots(20_000, 16L << 20, 1_000, 128 * 1024);
  }

  public ReplicaSettings {
    if (rules == null) throw new IllegalArgumentException("rules must not be null; RaftRules.STANDARD is the protocol");
    if (heartbeatInterval.compareTo(electionTimeout) >= 0) {
      throw new IllegalArgumentException(
          "chronik.raft.heartbeat-interval (" + heartbeatInterval + ") must be shorter than "
              + "chronik.raft.election-timeout (" + electionTimeout + "); a few times shorter is usual");
    }
    if (readIndexTimeout.isNegative() || readIndexTimeout.isZero()) {
      throw new IllegalArgumentException("chronik.raft.read-index-timeout must be positive, got " + readIndexTimeout);
    }
    if (proposalTimeout.isNegative() || proposalTimeout.isZero()) {
      throw new IllegalArgumentException("chronik.raft.proposal-timeout must be positive, got " + proposalTimeout);
    }
    if (storageRestartBackoff.isNegative() || storageRestartBackoff.isZero()
        || storageRestartMaxBackoff.compareTo(storageRestartBackoff) < 0) {
      throw new IllegalArgumentException("chronik.raft.storage-restart-backoff (" + storageRestartBackoff
          + ") must be positive and at most chronik.raft.storage-restart-max-backoff (" + storageRestartMaxBackoff + ")");
    }
    if (readIndexPipeline < 1) {
      throw new IllegalArgumentException("chronik.raft.read-index-pipeline must be >= 1, got " + readIndexPipeline);
    }
    if (maxEntryBytes <= 0 || maxAppendBytes <= 0 || maxAppendEntries <= 0 || maxInflightAppends <= 0) {
      throw new IllegalArgumentException("chronik.raft size and in-flight limits must be positive");
    }
  }

  /** The settings of tests and tools that do not name the later additions: no leader balancing. */
  public ReplicaSettings(Duration electionTimeout, Duration heartbeatInterval, int maxEntryBytes, int maxAppendBytes,
      int maxAppendEntries, int maxInflightAppends, boolean preVote, boolean checkQuorum, int stashCapacity,
      Duration storageRestartBackoff, Duration readIndexTimeout, ReadPolicy defaultReadPolicy, long maxReadLag) {
    this(electionTimeout, heartbeatInterval, maxEntryBytes, maxAppendBytes, maxAppendEntries, maxInflightAppends,
        preVote, checkQuorum, stashCapacity, storageRestartBackoff, readIndexTimeout, defaultReadPolicy, maxReadLag,
        Duration.ofSeconds(5), false, electionTimeout.multipliedBy(5), Snapshots.DEFAULT, DEFAULT_READ_INDEX_PIPELINE,
        maxBackoff(storageRestartBackoff), RaftRules.STANDARD);
  }

  public ReplicaSettings(Duration electionTimeout, Duration heartbeatInterval, int maxEntryBytes, int maxAppendBytes,
      int maxAppendEntries, int maxInflightAppends, boolean preVote, boolean checkQuorum, int stashCapacity,
      Duration storageRestartBackoff, Duration readIndexTimeout, ReadPolicy defaultReadPolicy, long maxReadLag,
      Duration proposalTimeout, boolean leaderBalancing, Duration leaderBalanceDelay) {
    this(electionTimeout, heartbeatInterval, maxEntryBytes, maxAppendBytes, maxAppendEntries, maxInflightAppends,
        preVote, checkQuorum, stashCapacity, storageRestartBackoff, readIndexTimeout, defaultReadPolicy, maxReadLag,
        proposalTimeout, leaderBalancing, leaderBalanceDelay, Snapshots.DEFAULT, DEFAULT_READ_INDEX_PIPELINE,
        maxBackoff(storageRestartBackoff), RaftRules.STANDARD);
  }

  public ReplicaSettings withSnapshots(Snapshots s) {
    return new ReplicaSettings(electionTimeout, heartbeatInterval, maxEntryBytes, maxAppendBytes, maxAppendEntries,
        maxInflightAppends, preVote, checkQuorum, stashCapacity, storageRestartBackoff, readIndexTimeout,
        defaultReadPolicy, maxReadLag, proposalTimeout, leaderBalancing, leaderBalanceDelay, s, readIndexPipeline,
        storageRestartMaxBackoff, rules);
  }

  public ReplicaSettings withReadIndexPipeline(int depth) {
    return new ReplicaSettings(electionTimeout, heartbeatInterval, maxEntryBytes, maxAppendBytes, maxAppendEntries,
        maxInflightAppends, preVote, checkQuorum, stashCapacity, storageRestartBackoff, readIndexTimeout,
        defaultReadPolicy, maxReadLag, proposalTimeout, leaderBalancing, leaderBalanceDelay, snapshots, depth,
        storageRestartMaxBackoff, rules);
  }

  /** The same settings following other rules: tests inject a mutant this way (see {@link RaftRules}). */
  public ReplicaSettings withRules(RaftRules r) {
    return new ReplicaSettings(electionTimeout, heartbeatInterval, maxEntryBytes, maxAppendBytes, maxAppendEntries,
        maxInflightAppends, preVote, checkQuorum, stashCapacity, storageRestartBackoff, readIndexTimeout,
        defaultReadPolicy, maxReadLag, proposalTimeout, leaderBalancing, leaderBalanceDelay, snapshots,
        readIndexPipeline, storageRestartMaxBackoff, r);
  }

  /** The settings of {@code chronik.raft}; each call makes a new snapshot budget: call it once per node. */
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
        raft.getLong("max-read-lag"),
        raft.getDuration("proposal-timeout"),
        raft.getBoolean("leader-balancing"),
        raft.getDuration("leader-balance-delay"),
        new Snapshots(
            raft.getLong("snapshot.entries"),
            raft.getBytes("snapshot.bytes"),
            raft.getInt("snapshot.retained-entries"),
            (int) raft.getBytes("snapshot.chunk-bytes").longValue(),
            new SnapshotThrottle(raft.getBytes("snapshot.max-send-rate"),
                (int) raft.getBytes("snapshot.chunk-bytes").longValue(), System::nanoTime)),
        raft.getInt("read-index-pipeline"),
        raft.getDuration("storage-restart-max-backoff"),
        RaftRules.STANDARD);
  }

  private static Duration maxBackoff(Duration min) {
    return min.compareTo(DEFAULT_STORAGE_RESTART_MAX_BACKOFF) > 0 ? min : DEFAULT_STORAGE_RESTART_MAX_BACKOFF;
  }

  /**
   * How long a follower still counts on a leader it stopped hearing from: three heartbeats. Past
   * it, the follower no longer sends writes or read-index requests there (they would be lost if
   * the leader died) but answers at once that no leader is known, so the caller retries.
   */
  public Duration leaderSilence() {
    return heartbeatInterval.multipliedBy(3);
  }
}
