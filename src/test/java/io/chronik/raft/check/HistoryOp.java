package io.chronik.raft.check;

/**
 * One client operation as observed: invoked at {@code call}, answered at {@code ret}
 * ({@link #UNKNOWN} when no answer came: it may or may not have taken effect).
 */
public record HistoryOp<O>(int id, long call, long ret, O op) {
  public static final long UNKNOWN = Long.MAX_VALUE;

  public boolean unknown() {
    return ret == UNKNOWN;
  }
}
