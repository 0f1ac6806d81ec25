package io.chronik.raft.check;

import java.util.Objects;

/** One key of the key-value map as a register: put, compare-and-set and get. */
public final class RegisterModel implements Model<RegisterModel.Value, RegisterModel.Op> {
  /** The register's content; {@code value == null} means the key is absent. */
  public record Value(String value) {}

  public sealed interface Op permits Put, Cas, Get {}

  public record Put(String value) implements Op {}

  /**
   * Compare-and-set; {@code expected == null} means "only if absent". {@code applied} is what
   * the client saw, or null when it saw nothing (the operation's outcome is unknown).
   */
  public record Cas(String expected, String value, Boolean applied) implements Op {}

  /** A read that observed {@code observed} (null: absent). */
  public record Get(String observed) implements Op {}

  @Override
  public Value initial() {
    return new Value(null);
  }

  @Override
  public Value step(Value state, Op op) {
    if (op instanceof Put p) return new Value(p.value());
    if (op instanceof Get g) return Objects.equals(state.value(), g.observed()) ? state : null;
    Cas c = (Cas) op;
    boolean matches = Objects.equals(state.value(), c.expected());
    if (c.applied() == null) return matches ? new Value(c.value()) : state;
    if (c.applied() != matches) return null;
    return matches ? new Value(c.value()) : state;
  }
}
