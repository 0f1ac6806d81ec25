package io.chronik.raft.replica;

import com.google.protobuf.ByteString;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.rpc.LogEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Raft's safety properties, checked while the simulation runs (Raft §5.2, Figure 3):
 * <ul>
 *   <li>Election Safety — at most one replica sends AppendEntries for a given term;
 *   <li>Log Matching — two logs holding an entry with the same index and term hold the same
 *       entry and the same prefix (checked through a prefix hash per (index, term));
 *   <li>State Machine Safety — no two replicas apply different entries at one index;
 *   <li>Durability of acknowledgements — every acknowledged proposal is, at the end, applied at
 *       its index by every member of the final configuration (whoever joined or left meanwhile);
 *   <li>Membership (thesis ch. 4), with the configuration in force at each sender as the replica
 *       reports it (its log's, a snapshot's, else its files'): a leader is a voter of its
 *       configuration (a learner never leads), replicates only to its members, and was elected by
 *       grants forming a majority of each half of it; no member grants two candidates a vote in
 *       one term (a wiped member comes back under a new id, so this holds across wipes); the
 *       committed configurations follow each other by learner changes or joint steps
 *       ({@code C → C&&C' → C'}).
 * </ul>
 */
final class SimInvariants {
  private final Map<Long, String> leaderOfTerm = new HashMap<>();
  private final Map<String, Long> prefixHashAt = new HashMap<>();
  /** index → command applied there (null value: a no-op was there). */
  private final Map<Long, ByteString> appliedAt = new HashMap<>();
  private final Map<Long, ByteString> acknowledged = new HashMap<>();
  final List<String> violations = new ArrayList<>();

  /** term → candidate → the members that sent it a granted (real) vote. */
  private final Map<Long, Map<String, Set<String>>> grants = new HashMap<>();
  /** "member@term" → the candidate it granted its vote to. */
  private final Map<String, String> voteOf = new HashMap<>();

  /**
   * {@code from} sends {@code m} to {@code to}; {@code before} and {@code config}: the configuration
   * in force at {@code from} before and after the step that sent it, null when it knows none. What
   * a leader does must fit one of them.
   */
  void onSend(String from, String to, RaftMessage m, Configuration before, Configuration config) {
    if (m instanceof RequestVoteResponse vr && vr.granted() && !vr.preVote()) {
      String earlier = voteOf.putIfAbsent(from + "@" + vr.term(), to);
      if (earlier != null && !earlier.equals(to)) {
        violations.add("double vote: " + from + " granted its vote in term " + vr.term() + " to " + earlier
            + " and to " + to);
      }
      grants.computeIfAbsent(vr.term(), t -> new HashMap<>()).computeIfAbsent(to, c -> new TreeSet<>()).add(from);
    }
    if (!(m instanceof AppendEntries ae)) return;
    String previous = leaderOfTerm.putIfAbsent(ae.term(), from);
    if (previous != null && !previous.equals(from)) {
      violations.add("election safety: two leaders in term " + ae.term() + ": " + previous + " and " + from);
    }
    if (config == null) {
      violations.add("membership: leader " + from + " of term " + ae.term() + " knows no configuration");
      return;
    }
    if (!config.isVoter(from) && (before == null || !before.isVoter(from))) {
      violations.add("membership: " + from + " leads term " + ae.term() + " but is no voter of its configuration "
          + config);
    }
    if (!config.isMember(to) && (before == null || !before.isMember(to))) {
      violations.add("membership: leader " + from + " of term " + ae.term() + " replicates to " + to
          + ", no member of its configuration " + config);
    }
    if (previous == null) {
      // Its first AppendEntries of the term: no configuration change can have been appended since
      // it won (none before its first commit), so this is the configuration it was elected on.
      Set<String> granted = new TreeSet<>(grants.getOrDefault(ae.term(), Map.of()).getOrDefault(from, Set.of()));
      granted.add(from);
      if (!config.quorum().isMajority(granted) && (before == null || !before.quorum().isMajority(granted))) {
        violations.add("election safety: " + from + " leads term " + ae.term() + " with grants from only " + granted
            + ", no majority of each half of " + config);
      }
    }
  }

  /** index → the configuration entry committed there (by whichever leader committed it). */
  private final java.util.TreeMap<Long, Configuration> committedConfigs = new java.util.TreeMap<>();

  /** {@code leader}'s commit covered a configuration entry: no other may ever be committed at its index. */
  void onConfigCommitted(String leader, long index, Configuration config) {
    Configuration known = committedConfigs.putIfAbsent(index, config);
    if (known != null && !known.equals(config)) {
      violations.add("state machine safety: " + leader + " committed configuration " + config + " at index " + index
          + " where " + known + " was committed");
    }
  }

  /**
   * The configurations committed, in order of their index, each after {@code initial}: each
   * differs from the one before in learners only, or enters a joint configuration from it
   * ({@code C → C&&C'}), or leaves one ({@code C&&C' → C'}). Returns how many changes that were
   * (leaving a joint configuration is the second half of one).
   */
  int checkConfigSequence(Configuration initial) {
    int changes = 0;
    Configuration prev = initial;
    for (Map.Entry<Long, Configuration> committed : committedConfigs.entrySet()) {
      Configuration next = committed.getValue();
      boolean learnersOnly = prev.voters().equals(next.voters()) && prev.outgoing().equals(next.outgoing());
      boolean enter = !prev.joint() && next.joint() && next.outgoing().equals(prev.voters());
      boolean leave = prev.joint() && !next.joint() && next.voters().equals(prev.voters());
      if (!learnersOnly && !enter && !leave) {
        violations.add("membership: committed configuration " + next + " at " + committed.getKey() + " follows " + prev
            + ": neither a learner change nor a joint step");
        return changes;
      }
      if (!leave && !prev.equals(next)) changes++;
      prev = next;
    }
    return changes;
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
