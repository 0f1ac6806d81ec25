package io.chronik.raft.core;

import io.chronik.raft.core.RaftLog.ConflictHint;
import io.chronik.raft.rpc.LogEntry;
import java.util.List;
import java.util.Map;

/**
 * Log replication and commit (Raft §5.3, §5.4): whether a follower accepts an AppendEntries and the conflict hint it returns, the leader's back-off on a refusal (fast back-off) and what it sends next (pipelining), and commit advancement (only an entry of the leader's own term commits by counting, Figure 8).
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 *
 * <p>The logs and progress passed in are only read: the replica executes each decision (truncates,
 * appends, persists, then answers; or sends and records the send in its {@link Progress}).
 */
public class ReplicationRules {

  // ---------------------------------------------------------------- follower

  /** What an AppendEntries asks of a follower's log (Raft §5.3, Figure 2 "AppendEntries RPC"). */
  public record AppendRequest(long prevIndex, long prevTerm, List<LogEntry> entries, long leaderCommit) {
    public AppendRequest {
      entries = List.copyOf(entries);
    }

    /** The index of the last entry this request proves the follower shares with the leader once accepted. */
    public long lastIndex() {
      return prevIndex + entries.size();
    }
  }

  /**
   * A follower's answer to an AppendEntries. Accepted: remove the entries from {@code truncateFrom}
   * on (0: none), append {@code toAppend}, commit up to {@code commitTo}, and acknowledge
   * {@code matchIndex} once durable. Refused: answer with {@code prevIndex} (the request's,
   * checked from the compaction point on) and the fast back-off {@code hint}.
   */
  public record AppendDecision(boolean accepted, long prevIndex, long truncateFrom, List<LogEntry> toAppend,
      long commitTo, long matchIndex, ConflictHint hint) {
    public AppendDecision {
      toAppend = List.copyOf(toAppend);
    }

    static AppendDecision refuse(long prevIndex, ConflictHint hint) {
      return new AppendDecision(false, prevIndex, 0, List.of(), 0, 0, hint);
    }

    static AppendDecision accept(long truncateFrom, List<LogEntry> toAppend, long commitTo, long matchIndex) {
      return new AppendDecision(true, 0, truncateFrom, toAppend, commitTo, matchIndex, null);
    }
  }

  /**
   * Raft §5.3. Refuse unless the log holds {@code prevIndex} with {@code prevTerm} (the
   * consistency check that gives Log Matching), answering with a fast back-off hint; otherwise
   * delete the first conflicting entry and all after it, append what is new, and commit up to
   * {@code min(leaderCommit, index of the last new entry)} (Figure 2, receiver rule 5: entries
   * after the last one this request carries may be a stale leader's, not the sender's).
   *
   * <p>Entries already present with the same term are kept, never truncated: a duplicated or
   * reordered AppendEntries must not remove entries a newer AppendEntries added.
   *
   * <p>Entries up to the compaction point are committed here, so they agree with the current
   * leader's (§5.4, Leader Completeness): a request reaching back before it is checked from that
   * point on ({@link #skipCompacted}).
   */
  public AppendDecision onAppendEntries(RaftLog log, AppendRequest received) {
    AppendRequest req = skipCompacted(log, received);
    if (!log.matches(req.prevIndex(), req.prevTerm())) {
      return AppendDecision.refuse(req.prevIndex(), conflictHint(log, req.prevIndex()));
    }
    long conflict = log.findConflict(req.entries());
    long truncateFrom = conflict != 0 && conflict <= log.lastIndex() ? conflict : 0;
    List<LogEntry> fresh = conflict == 0 ? List.of()
        : req.entries().subList((int) (conflict - req.entries().get(0).getIndex()), req.entries().size());
    long lastNew = req.lastIndex();
    return AppendDecision.accept(truncateFrom, fresh, Math.min(req.leaderCommit(), lastNew), lastNew);
  }

  /**
   * What a follower may count as committed in its current term: the highest index the leader of
   * that term said is committed ({@code leaderCommit}: carried by an AppendEntries, or a ReadIndex
   * answer's read index), but no further than {@code matched}, the last index an AppendEntries of
   * that leader proved this log shares with the leader's (Log Matching). Figure 2's receiver rule 5
   * applies this to one request; across the requests and read answers of one term it holds alike,
   * because a leader's log up to what it sent never changes within its term. It lets the leader
   * leave the commit index to its next append or heartbeat rather than send a message for it: a
   * follower's {@code safe} read learns it from its read index ({@link FollowerCommit}).
   */
  public long followerCommit(long leaderCommit, long matched) {
    return Math.min(leaderCommit, matched);
  }

  /**
   * The follower's fast back-off hint for a refusal at {@code prevIndex} (Raft §5.3, "if
   * desired, the protocol can be optimized"): its log too short, the index after its last entry
   * and term 0; otherwise the term it holds at {@code prevIndex} and the first index of that term,
   * so that the leader skips the whole conflicting term in one round trip.
   */
  public ConflictHint conflictHint(RaftLog log, long prevIndex) {
    return log.conflictHint(prevIndex);
  }

  /**
   * A request reaching back before the compaction point, moved to start there: its previous entry
   * becomes the snapshot's last (whose term the log keeps), and entries the snapshot covers are dropped.
   */
  static AppendRequest skipCompacted(RaftLog log, AppendRequest req) {
    long base = log.compactedIndex();
    if (req.prevIndex() >= base) return req;
    List<LogEntry> after = req.entries().stream().filter(e -> e.getIndex() > base).toList();
    return new AppendRequest(base, log.termAt(base), after, req.leaderCommit());
  }

  // ---------------------------------------------------------------- leader

  /**
   * Fast back-off (Raft §5.3): where the leader retries after a refusal of the AppendEntries at
   * {@code rejectedPrev} with the follower's hint ({@code conflictIndex}, {@code conflictTerm}). If
   * the follower's log was too short (term 0), retry just after its end. If this log has entries
   * of the follower's conflicting term, retry just after the last of them (the logs may agree up
   * to there); otherwise skip the follower's whole run of that term. Never beyond the refused
   * previous index (the answer would then be no news) and never before 1.
   */
  public long retryIndex(RaftLog log, long rejectedPrev, long conflictIndex, long conflictTerm) {
    long retry;
    if (conflictTerm == 0) {
      retry = conflictIndex;
    } else {
      long idx = log.lastIndexOfTermAtMost(conflictTerm, rejectedPrev);
      retry = log.termAt(idx) == conflictTerm ? idx + 1 : conflictIndex;
    }
    return Math.max(1, Math.min(retry, rejectedPrev));
  }

  /** What the leader sends a follower next: nothing (flow control), the snapshot, or an AppendEntries. */
  public enum SendKind { NOTHING, SNAPSHOT, ENTRIES }

  /**
   * The leader's next message to one follower. ENTRIES: an AppendEntries after {@code prevIndex}
   * (of {@code prevTerm}) carrying {@code entries} (none: a probe the follower's log is checked with).
   */
  public record Send(SendKind kind, long prevIndex, long prevTerm, List<LogEntry> entries) {
    public static final Send NOTHING = new Send(SendKind.NOTHING, 0, 0, List.of());
    public static final Send SNAPSHOT = new Send(SendKind.SNAPSHOT, 0, 0, List.of());

    public Send {
      entries = List.copyOf(entries);
    }
  }

  /**
   * What to send {@code pr}'s follower now, asked again after each send until NOTHING. While a
   * snapshot is on its way nothing else goes (its chunks go as the follower acknowledges them).
   * When the follower needs entries this log compacted away, the snapshot (Raft §7). Otherwise
   * an AppendEntries from {@code next} of at most {@code maxEntries} entries and about
   * {@code maxBytes}, while flow control allows: one probe at a time until the follower's log
   * matches, then up to the in-flight limit of pipelined appends, and only while there are
   * entries it lacks (a probe goes even with none, to find where the logs match).
   */
  public Send nextSend(Progress pr, RaftLog log, int maxEntries, long maxBytes) {
    if (pr.snapshotting()) return Send.NOTHING;
    if (needsSnapshot(pr, log)) return Send.SNAPSHOT;
    if (!pr.canSend() || !(pr.probing() || pr.next() <= log.lastIndex())) return Send.NOTHING;
    long prev = pr.next() - 1;
    return new Send(SendKind.ENTRIES, prev, log.termAt(prev), log.slice(pr.next(), maxEntries, maxBytes));
  }

  /**
   * Raft §7: the follower's next entry is compacted away (covered by a snapshot and no longer in
   * this log), so only the snapshot can bring it up to date.
   */
  public boolean needsSnapshot(Progress pr, RaftLog log) {
    return pr.next() < log.firstIndex();
  }

  /**
   * Commit advancement (Raft §5.3, §5.4.2): the highest index a majority of voters holds durably
   * ({@code match}, by voter id, the leader included with what its own storage acknowledged) —
   * but only if that entry is of the leader's {@code term}. An entry of an earlier term may be
   * on a majority and still be overwritten by a later leader (Figure 8); it commits only
   * indirectly, once an entry of the current term after it does. Returns the new commit index,
   * or {@code commitIndex} when it does not advance.
   */
  public long commitIndex(RaftLog log, Quorum quorum, Map<String, Long> match, long term, long commitIndex) {
    long index = quorum.committedIndex(match);
    if (index <= commitIndex || log.termAt(index) != term) return commitIndex;
    return index;
  }
}
