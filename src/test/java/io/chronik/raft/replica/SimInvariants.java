package io.chronik.raft.replica;

import com.google.protobuf.ByteString;
import io.chronik.raft.rpc.LogEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Raft's safety properties, checked while the simulation runs (Raft §5.2, Figure 3):
 * <ul>
 *   <li>Election Safety — at most one replica sends AppendEntries for a given term;
 *   <li>Log Matching — two logs holding an entry with the same index and term hold the same
 *       entry and the same prefix (checked through a prefix hash per (index, term));
 *   <li>State Machine Safety — no two replicas apply different entries at one index;
 *   <li>Durability of acknowledgements — every acknowledged proposal is, at the end, applied at
 *       its index by every replica.
 * </ul>
 */
final class SimInvariants {
  private final Map<Long, String> leaderOfTerm = new HashMap<>();
  private final Map<String, Long> prefixHashAt = new HashMap<>();
  /** index → command applied there (null value: a no-op was there). */
  private final Map<Long, ByteString> appliedAt = new HashMap<>();
  private final Map<Long, ByteString> acknowledged = new HashMap<>();
  final List<String> violations = new ArrayList<>();

  void onSend(String from, RaftMessage m) {
    if (!(m instanceof AppendEntries ae)) return;
    String previous = leaderOfTerm.putIfAbsent(ae.term(), from);
    if (previous != null && !previous.equals(from)) {
      violations.add("election safety: two leaders in term " + ae.term() + ": " + previous + " and " + from);
    }
  }

  /**
   * Called with a replica's log after each write reaches its disk (written, not only synced):
   * the entries after its snapshot at ({@code baseIndex}, {@code baseTerm}), whose prefix was
   * checked when it was written (the base is committed).
   */
  void onLogWritten(String replica, long baseIndex, long baseTerm, List<LogEntry> log) {
    Long base = baseIndex == 0 ? Long.valueOf(17) : prefixHashAt.get(baseIndex + "@" + baseTerm);
    if (base == null) return; // the base entry was never seen written (it reached this disk by snapshot only)
    long h = base;
    for (LogEntry e : log) {
      h = h * 1_000_003L + Objects.hash(e.getIndex(), e.getTerm(), e.getKind().getNumber(), e.getCommand());
      String key = e.getIndex() + "@" + e.getTerm();
      Long known = prefixHashAt.putIfAbsent(key, h);
      if (known != null && known != h) {
        violations.add("log matching: " + replica + " holds entry " + key + " with a different prefix or content");
        return;
      }
    }
  }

  void onApply(String replica, long index, ByteString command) {
    if (!appliedAt.containsKey(index)) {
      appliedAt.put(index, command);
    } else if (!command.equals(appliedAt.get(index))) {
      violations.add("state machine safety: " + replica + " applied a different entry at index " + index);
    }
  }

  private final Map<Long, String> stateAt = new HashMap<>();

  /**
   * State Machine Safety, on the state itself: after applying the log up to {@code index} (or
   * restoring a snapshot of it), every replica holds the same state. Catches a snapshot that does
   * not hold what its index says.
   */
  void onState(String replica, long index, String state) {
    String known = stateAt.putIfAbsent(index, state);
    if (known != null && !known.equals(state)) {
      violations.add("state machine safety: " + replica + " holds [" + state + "] after index " + index
          + " where another replica held [" + known + "]");
    }
  }

  void onNoopApplied(String replica, long index) {
    if (!appliedAt.containsKey(index)) {
      appliedAt.put(index, null);
    } else if (appliedAt.get(index) != null) {
      violations.add("state machine safety: " + replica + " has a no-op at index " + index
          + " where another replica applied a command");
    }
  }

  void onAcknowledged(long index, ByteString command) {
    acknowledged.put(index, command);
  }

  int acknowledgedCount() {
    return acknowledged.size();
  }

  /** Every acknowledged proposal must be applied, at its index, on every replica that reached it. */
  void checkAcknowledged(String replica, Map<Long, ByteString> appliedByReplica, long appliedIndex) {
    for (Map.Entry<Long, ByteString> ack : acknowledged.entrySet()) {
      if (ack.getKey() > appliedIndex) {
        violations.add("lost acknowledged write: " + replica + " applied only up to " + appliedIndex
            + " but index " + ack.getKey() + " was acknowledged");
        return;
      }
      if (!ack.getValue().equals(appliedByReplica.get(ack.getKey()))) {
        violations.add("lost acknowledged write: " + replica + " applied something else at acknowledged index "
            + ack.getKey());
        return;
      }
    }
  }
}
