package io.chronik.raft.api;

import akka.grpc.javadsl.Metadata;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A gRPC call's deadline, from its {@code grpc-timeout} header, as a {@link System#nanoTime} instant. */
final class Deadlines {
  private Deadlines() {}

  /** {@link ChronikRaft#NO_DEADLINE} when the client set none (or an unreadable one). */
  static long of(Metadata metadata) {
    return of(metadata.getText("grpc-timeout"), System.nanoTime());
  }

  /**
   * Parses the gRPC wire format: at most 8 digits and a unit, {@code H} hours, {@code M} minutes,
   * {@code S} seconds, {@code m} milliseconds, {@code u} microseconds, {@code n} nanoseconds.
   */
  static long of(Optional<String> grpcTimeout, long now) {
    if (grpcTimeout.isEmpty()) return ChronikRaft.NO_DEADLINE;
    String v = grpcTimeout.get().trim();
    if (v.length() < 2 || v.length() > 9) return ChronikRaft.NO_DEADLINE;
    long amount;
    try {
      amount = Long.parseLong(v.substring(0, v.length() - 1));
    } catch (NumberFormatException e) {
      return ChronikRaft.NO_DEADLINE;
    }
    if (amount < 0) return ChronikRaft.NO_DEADLINE;
    TimeUnit unit = switch (v.charAt(v.length() - 1)) {
      case 'H' -> TimeUnit.HOURS;
      case 'M' -> TimeUnit.MINUTES;
      case 'S' -> TimeUnit.SECONDS;
      case 'm' -> TimeUnit.MILLISECONDS;
      case 'u' -> TimeUnit.MICROSECONDS;
      case 'n' -> TimeUnit.NANOSECONDS;
      default -> null;
    };
    if (unit == null) return ChronikRaft.NO_DEADLINE;
    return now + unit.toNanos(amount);
  }
}
