package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;
import com.google.protobuf.ByteString;
import java.util.Optional;

/** Requests from clients of one partition replica, and their typed answers. */
public final class ClientProtocol {
  private ClientProtocol() {}

  /** Replicate {@code command} and apply it to the state machine; only the leader accepts it. */
  public record Propose(ByteString command, ActorRef<ProposeReply> replyTo) implements Command {}

  /**
   * Run {@code query} against this replica's applied state, whatever its role. Possibly stale:
   * the linearizable read path is ReadIndex.
   */
  public record LocalQuery(ByteString query, ActorRef<QueryReply> replyTo) implements Command {}

  public record GetStatus(ActorRef<StatusReply> replyTo) implements Command {}

  /** What a proposal came to. Every proposal gets exactly one. */
  public interface ProposeReply {}

  public interface QueryReply {}

  public interface StatusReply {}

  /** The node that received the request hosts no replica of {@code groupId}. Not retryable there. */
  public record UnknownPartition(String groupId, java.util.Set<String> hosted)
      implements ProposeReply, QueryReply, StatusReply, ReadProtocol.ReadReply {}

  /** Committed at {@code index}, applied on the leader with {@code result}; {@code leader} committed it. */
  public record Proposed(long index, ByteString result, String leader) implements ProposeReply {
    public Proposed(long index, ByteString result) {
      this(index, result, "");
    }
  }

  /** This replica is not the leader; retry on {@code leaderHint} when present. Nothing happened. */
  public record NotLeader(String groupId, Optional<String> leaderHint) implements ProposeReply {}

  /** The proposal was refused before entering the log (nothing happened); retrying unchanged fails again. */
  public record ProposalRejected(String reason) implements ProposeReply {}

  /**
   * The leader lost leadership (or its storage failed) after the entry entered its log: it may
   * or may not commit. Retry only if the command is idempotent, or read to find out.
   */
  public record OutcomeUnknown(String reason) implements ProposeReply {}

  /** Answer to {@link LocalQuery}: the result and the applied index it reflects. */
  public record QueryResult(ByteString result, long appliedIndex) implements QueryReply {}

  public record Status(
      String groupId,
      String replicaId,
      String role,
      long term,
      Optional<String> leader,
      long commitIndex,
      long appliedIndex,
      long lastIndex,
      long snapshotIndex,
      java.util.Map<String, Long> stateMachine,
      String fault,
      Optional<io.chronik.raft.core.Configuration> config,
      long configIndex)
      implements StatusReply {
    /** The role of a replica that stopped after its environment failed and waits to recover from disk. */
    public static final String FAULTED = "faulted";

    public Status {
      stateMachine = java.util.Map.copyOf(stateMachine);
    }

    public Status(String groupId, String replicaId, String role, long term, Optional<String> leader, long commitIndex,
        long appliedIndex, long lastIndex) {
      this(groupId, replicaId, role, term, leader, commitIndex, appliedIndex, lastIndex, 0, java.util.Map.of(), "",
          Optional.empty(), 0);
    }
  }
}
