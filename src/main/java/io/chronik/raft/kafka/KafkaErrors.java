package io.chronik.raft.kafka;

import io.chronik.raft.api.ChronikException;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.protocol.Errors;

/** What Kafka error code a failed chronik call is, so that Kafka clients retry what they may retry. */
final class KafkaErrors {
  private KafkaErrors() {}

  static Errors of(Throwable failure) {
    Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (!(e instanceof ChronikException c)) return Errors.UNKNOWN_SERVER_ERROR;
    return switch (c.kind()) {
      case NOT_FOUND -> Errors.UNKNOWN_TOPIC_OR_PARTITION;
      // Retriable for every Kafka client: it refreshes its metadata and sends again.
      case UNAVAILABLE -> Errors.NOT_LEADER_OR_FOLLOWER;
      // An idempotent batch was resent inside until the retry window closed; the client's own
      // resend (same producer id and sequence) is appended at most once.
      case TIMEOUT, OUTCOME_UNKNOWN -> Errors.REQUEST_TIMED_OUT;
      case OUT_OF_RANGE -> Errors.OFFSET_OUT_OF_RANGE;
      case INVALID_ARGUMENT -> Errors.INVALID_REQUEST;
      default -> Errors.UNKNOWN_SERVER_ERROR;
    };
  }

  static String message(Throwable failure) {
    Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
