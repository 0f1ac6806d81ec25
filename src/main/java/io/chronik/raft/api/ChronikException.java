package io.chronik.raft.api;

import java.util.Optional;

/** Why a chronik request did not succeed; each kind says whether retrying can help. */
public class ChronikException extends RuntimeException {
  public enum Kind {
    /** The request is malformed or exceeds a limit: do not retry it unchanged. */
    INVALID_ARGUMENT,
    /** No such topic or partition. */
    NOT_FOUND,
    /** No leader right now (an election is in progress, or a majority is down): retry shortly. */
    UNAVAILABLE,
    /** A read did not complete in time: retry. (A write that did not complete in time is {@link #OUTCOME_UNKNOWN}.) */
    TIMEOUT,
    /**
     * A write may or may not have been applied: read to find out before retrying, or resend an
     * idempotent produce with the same producer id and sequence.
     */
    OUTCOME_UNKNOWN,
    /** The offset asked for was deleted by retention: the message names the first offset still held. */
    OUT_OF_RANGE,
    /** An idempotent produce whose sequence does not follow its producer's last one: the message names the expected one. */
    FAILED_PRECONDITION,
    /** What a request would create exists already (a topic name, taken or used before). */
    ALREADY_EXISTS
  }

  private final Kind kind;
  private final Optional<String> leaderHint;

  public ChronikException(Kind kind, String message, Optional<String> leaderHint) {
    super(message);
    this.kind = kind;
    this.leaderHint = leaderHint;
  }

  public ChronikException(Kind kind, String message) {
    this(kind, message, Optional.empty());
  }

  public Kind kind() {
    return kind;
  }

  public Optional<String> leaderHint() {
    return leaderHint;
  }
}
