package io.chronik.raft.replica;

import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one replica counts: its reads (served per policy with latency, ReadIndex rounds, failures
 * by kind) and the traffic that prices reads and writes (Raft messages sent and received, storage
 * writes and the entries they carried). Owned and updated by the replica actor only; others get an
 * immutable {@link Snapshot} by asking ({@link ReadProtocol.GetReplicaMetrics}).
 */
public final class ReplicaMetrics {
  final EnumMap<ReadPolicy, Long> served = new EnumMap<>(ReadPolicy.class);
  final EnumMap<ReadPolicy, Histogram> latencyMicros = new EnumMap<>(ReadPolicy.class);
  long readIndexRounds;
  long readsReleasedByRounds;
  /** Follower reads a leader of three confirmed without a round (the request was the second acknowledgement). */
  long readsConfirmedByRequest;
  long timeouts;
  long noLeader;
  long leaderChanged;
  long forwarded;
  long lagging;
  /** Times this replica's reads learned that the leader they relied on may have changed (once per change). */
  long leaderChangesSeen;
  // What reads (and writes) cost this replica: the figures that decide how far reads scale out.
  long messagesSent;
  long messagesReceived;
  long storageWrites;
  long entriesPersisted;

  ReplicaMetrics() {
    for (ReadPolicy p : ReadPolicy.values()) {
      served.put(p, 0L);
      latencyMicros.put(p, new Histogram(3));
    }
  }

  void served(ReadPolicy policy, long startNanos) {
    served.merge(policy, 1L, Long::sum);
    latencyMicros.get(policy).recordValue(Math.max(0, (System.nanoTime() - startNanos) / 1_000));
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
      Map<ReadPolicy, Double> p50Millis,
      Map<ReadPolicy, Double> p99Millis,
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
    EnumMap<ReadPolicy, Double> p50 = new EnumMap<>(ReadPolicy.class);
    EnumMap<ReadPolicy, Double> p99 = new EnumMap<>(ReadPolicy.class);
    for (ReadPolicy p : ReadPolicy.values()) {
      p50.put(p, latencyMicros.get(p).getValueAtPercentile(50) / 1000.0);
      p99.put(p, latencyMicros.get(p).getValueAtPercentile(99) / 1000.0);
    }
    return new Snapshot(pending, oldestPendingAgeMillis, Map.copyOf(served), Map.copyOf(p50), Map.copyOf(p99),
        readIndexRounds, readsReleasedByRounds, readsConfirmedByRequest, timeouts, noLeader, leaderChanged, forwarded, lagging, leaderChangesSeen, messagesSent,
        messagesReceived, storageWrites, entriesPersisted);
  }
}
