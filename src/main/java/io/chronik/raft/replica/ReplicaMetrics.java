package io.chronik.raft.replica;

import java.util.EnumMap;
import java.util.Map;

/**
 * What one replica counts: its reads (served per policy, ReadIndex rounds, failures by kind) and
 * the traffic that prices reads and writes (Raft messages sent and received, storage writes and
 * the entries they carried). Owned and updated by the replica actor only, through one method per
 * event (no other class writes its counters); others get an immutable
 * {@link Snapshot} by asking ({@link ReadProtocol.GetReplicaMetrics}). Read latency and the
 * stages of writes go straight into the node's meter registry ({@link ReplicaLatency}): a
 * histogram can be aggregated across replicas and nodes, a snapshot's percentiles could not.
 */
public final class ReplicaMetrics {
  private final EnumMap<ReadPolicy, Long> served = new EnumMap<>(ReadPolicy.class);
  private final ReplicaLatency latency;
  private long readIndexRounds;
  private long readsReleasedByRounds;
  /** Follower reads a leader of three confirmed without a round (the request was the second acknowledgement). */
  private long readsConfirmedByRequest;
  private long timeouts;
  private long noLeader;
  private long leaderChanged;
  private long forwarded;
  private long lagging;
  /** Times this replica's reads learned that the leader they relied on may have changed (once per change). */
  private long leaderChangesSeen;
  // What reads (and writes) cost this replica: the figures that decide how far reads scale out.
  private long messagesSent;
  private long messagesReceived;
  private long storageWrites;
  private long entriesPersisted;

  ReplicaMetrics(ReplicaLatency latency) {
    this.latency = latency;
    for (ReadPolicy p : ReadPolicy.values()) served.put(p, 0L);
  }

  void readIndexRound() {
    readIndexRounds++;
  }

  void releasedByRound(int reads) {
    readsReleasedByRounds += reads;
  }

  void confirmedByRequest() {
    readsConfirmedByRequest++;
  }

  void timedOut() {
    timeouts++;
  }

  void noLeader() {
    noLeader++;
  }

  /** Reads failed because the leader they relied on changed (once per batch of reads). */
  void leaderChanged() {
    leaderChanged++;
  }

  void forwarded() {
    forwarded++;
  }

  void lagging() {
    lagging++;
  }

  void leaderChangeSeen() {
    leaderChangesSeen++;
  }

  void sent() {
    messagesSent++;
  }

  void received() {
    messagesReceived++;
  }

  void storageWrite(int entries) {
    storageWrites++;
    entriesPersisted += entries;
  }

  /** One stage of a write that began at {@code startNanos} ended now ({@link ReplicaLatency.WriteStage}). */
  void writeStage(ReplicaLatency.WriteStage stage, long startNanos) {
    latency.record(stage, System.nanoTime() - startNanos);
  }

  void served(ReadPolicy policy, long startNanos) {
    served.merge(policy, 1L, Long::sum);
    latency.record(policy, System.nanoTime() - startNanos);
  }

  /**
   * @param pending reads not answered yet
   * @param oldestPendingAgeMillis age of the oldest of them (a stuck read shows here even when no
   *     error counter moves)
   */
  public record Snapshot(
      int pending,
      long oldestPendingAgeMillis,
      Map<ReadPolicy, Long> served,
      long readIndexRounds,
      long readsReleasedByRounds,
      long readsConfirmedByRequest,
      long timeouts,
      long noLeader,
      long leaderChanged,
      long forwarded,
      long lagging,
      long leaderChangesSeen,
      long messagesSent,
      long messagesReceived,
      long storageWrites,
      long entriesPersisted) {

    public double readsPerRound() {
      return readIndexRounds == 0 ? 0 : readsReleasedByRounds / (double) readIndexRounds;
    }
  }

  Snapshot snapshot(int pending, long oldestPendingAgeMillis) {
    return new Snapshot(pending, oldestPendingAgeMillis, Map.copyOf(served),
        readIndexRounds, readsReleasedByRounds, readsConfirmedByRequest, timeouts, noLeader, leaderChanged, forwarded, lagging, leaderChangesSeen, messagesSent,
        messagesReceived, storageWrites, entriesPersisted);
  }
}
