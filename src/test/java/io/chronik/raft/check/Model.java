package io.chronik.raft.check;

/**
 * A sequential specification. {@link #step} returns the state after {@code op}, or null when
 * {@code op} (with the output the client observed) cannot happen in {@code state}. States are
 * never null and must have value equality (they are memoized).
 */
public interface Model<S, O> {
  S initial();

  S step(S state, O op);
}
