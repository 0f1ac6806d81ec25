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
    /** It did not complete in time: retry. */
    TIMEOUT,
    /** A write may or may not have been applied: read to find out before retrying. */
    OUTCOME_UNKNOWN,
    /** The offset asked for was deleted by retention: the message names the first offset still held. */
    OUT_OF_RANGE
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
