package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Optional;

/** Reads from clients and their typed answers. Every read ends: served, failed or timed out. */
public final class ReadProtocol {
  private ReadProtocol() {}

  /**
   * Run {@code query} against the state machine under {@code policy} (the replica's default when
   * empty), on state that includes at least log index {@code minIndex} (0 for none).
   */
  public record Read(ByteString query, Optional<ReadPolicy> policy, long minIndex, ActorRef<ReadReply> replyTo)
      implements Command {}

  public interface ReadReply {}

  /** Served by replica {@code servedBy} on state applied up to {@code appliedIndex}. */
  public record ReadResult(ByteString result, long appliedIndex, String servedBy, ReadPolicy policy)
      implements ReadReply {}

  /** No leader is known to this replica: retry shortly, on {@code leaderHint} when present. */
  public record NoLeader(String groupId, Optional<String> leaderHint) implements ReadReply {}

  /** The read did not complete within {@code after} (chronik.raft.read-index-timeout). Retry. */
  public record ReadTimeout(String groupId, Duration after) implements ReadReply {}

  /** The read could not be served safely now (leader changed, replica lagging); retry, maybe elsewhere. */
  public record RetryLater(String groupId, String reason, Optional<String> leaderHint) implements ReadReply {}

  /** Asks a replica for its read metrics. */
  public record GetReplicaMetrics(ActorRef<ReplicaMetrics.Snapshot> replyTo) implements Command {}
}
