package io.chronik.raft.replica;

import io.chronik.raft.metrics.LatencyTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.EnumMap;
import java.util.concurrent.TimeUnit;

/**
 * How long one replica's reads and the stages of its writes took, as Prometheus histograms (see
 * {@link LatencyTimer}):
 *
 * <ul>
 *   <li>{@code chronik_read_latency_seconds{node, partition, policy}}: reads this replica answered
 *       to its own clients, from arrival to answer;
 *   <li>{@code chronik_write_stage_seconds{node, partition, stage}}: where a write's time goes,
 *       one {@link WriteStage} each, so that a change to the write path is judged by the stage it
 *       shortens rather than by end-to-end throughput alone.
 * </ul>
 *
 * <p>Its timers are resolved once, when the replica's node creates it, so that recording on the
 * replica's hot path looks nothing up and allocates nothing; it outlives the replica's restarts,
 * so the histograms keep counting across them as Prometheus counters must.
 */
public final class ReplicaLatency {
  static final String READ = "chronik.read.latency";
  static final String WRITE_STAGE = "chronik.write.stage";
  /** One text for every stage: Prometheus keeps one HELP line per metric name. */
  private static final String WRITE_STAGE_HELP = "Stages of a write: storage (one storage write, issued until durable), "
      + "leader-durable (proposal arrival until the leader's own write is durable), committed (arrival until "
      + "committed, applied and answered), follower-append (AppendEntries arrival until acknowledged once durable)";

  /** The measured stages of a write, each a span of time on one replica. */
  public enum WriteStage {
    /** One storage write of this replica (leader or follower): issued to storage until durable. */
    STORAGE("storage"),
    /** On the leader: a proposal's arrival until the leader's own write of its entry is durable. */
    LEADER_DURABLE("leader-durable"),
    /** On the leader: a proposal's arrival until it is committed, applied and answered. */
    COMMITTED("committed"),
    /** On a follower: an AppendEntries carrying entries, from arrival until acknowledged (durable). */
    FOLLOWER_APPEND("follower-append");

    private final String tag;

    WriteStage(String tag) {
      this.tag = tag;
    }

    public String tag() {
      return tag;
    }
  }

  private final EnumMap<ReadPolicy, Timer> reads = new EnumMap<>(ReadPolicy.class);
  private final EnumMap<WriteStage, Timer> writes = new EnumMap<>(WriteStage.class);

  public ReplicaLatency(MeterRegistry registry, String node, String partition) {
    for (ReadPolicy p : ReadPolicy.values()) {
      reads.put(p, LatencyTimer.builder(READ)
          .description("Reads this replica answered to its own clients, from arrival to answer")
          .tags("node", node, "partition", partition, "policy", p.configName())
          .register(registry));
    }
    for (WriteStage s : WriteStage.values()) {
      writes.put(s, LatencyTimer.builder(WRITE_STAGE).description(WRITE_STAGE_HELP)
          .tags("node", node, "partition", partition, "stage", s.tag)
          .register(registry));
    }
  }

  /** For a replica whose latencies nobody exports (tests, in-process tools): records nothing. */
  public static ReplicaLatency unexported() {
    return new ReplicaLatency(new CompositeMeterRegistry(), "none", "none");
  }

  void record(ReadPolicy policy, long nanos) {
    reads.get(policy).record(nanos, TimeUnit.NANOSECONDS);
  }

  void record(WriteStage stage, long nanos) {
    writes.get(stage).record(nanos, TimeUnit.NANOSECONDS);
  }
}
