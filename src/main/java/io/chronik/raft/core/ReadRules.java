package io.chronik.raft.core;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Linearizable reads (thesis §6.4, ReadIndex): the current-term gate, confirmation of leadership by a round of heartbeats, the three-node shortcut, what a follower's ReadIndex request and a forwarded read are answered, and when a read is released.
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 *
 * <p>The bookkeeping these rules decide over lives beside them in core: {@link ReadIndexQueue}
 * (a leader's reads waiting for a confirmation round), {@link ReadIndexRequests} (a follower's
 * requests for a read index) and {@link PendingReads} (reads waiting to be applied).
 */
public class ReadRules {
  /** How a read asks for its consistency (mirrors the replica's ReadPolicy, which core cannot see). */
  public enum Policy {
    /** Forwarded to the leader, which serves it after confirming its leadership. */
    NONE,
    /** ReadIndex: linearizable, served by the replica that received it. */
    SAFE,
    /** The local applied state, possibly stale. */
    UNSAFE
  }

  /** The role of the replica that received a client's read. */
  public enum Role { LEADER, FOLLOWER, CANDIDATE }

  /** Where a client's read goes. */
  public enum Route {
    /** Served from the local applied state with no read index (only the read's minimum index). */
    SERVE_LOCALLY,
    /** The leader confirms its leadership ({@link #confirmation}) and serves it at its commit index. */
    CONFIRM_AS_LEADER,
    /** A follower asks the leader for a read index (thesis §6.4), then serves it once applied. */
    ASK_LEADER_FOR_INDEX,
    /** A follower forwards the read to the leader, which serves it and sends back the result. */
    FORWARD_TO_LEADER,
    /** No leader to ask: the read fails at once, retryably. */
    NO_LEADER
  }

  /** What a leader is asked to confirm: its own read, a read forwarded under {@code none}, a follower's ReadIndex request. */
  public enum LeaderRead { OWN_READ, FORWARDED_READ, INDEX_REQUEST }

  /** How a leader confirms a read before serving it (or answering it with a read index). */
  public enum Confirmation {
    /** No entry of this term committed yet: the read waits, and is confirmed again when one does. */
    AFTER_FIRST_COMMIT,
    /** The requester's own message was the acknowledgement a majority needed: serve at the commit index now. */
    NOW,
    /** A heartbeat round sent after the read arrived must be acknowledged by a majority. */
    BY_ROUND
  }

  /** What an acknowledgement of read round {@code seq} does. */
  public enum Acknowledgement {
    /** It carries no round (seq 0). */
    NONE,
    /** It names a round this leader never sent: a buggy or foreign peer; log and ignore it. */
    NEVER_SENT,
    /** It counts for its voter, for that round and every earlier one. */
    COUNTS
  }

  /** A leader's answer to a follower's ReadIndex request. */
  public enum IndexRequestAnswer {
    /** Confirm leadership and answer with the read index. */
    CONFIRM,
    /** Answer at once "not ok" with the current term, so the follower fails its reads retryably. */
    REFUSE
  }

  /**
   * A read held at {@code index}, the larger of its read index and its minimum index; {@code
   * lagging} when this replica is too far behind to serve it soon (fail it at once, retryably);
   * {@code ready} when it may be served at once ({@link #released}), without waiting for an apply.
   */
  public record Hold(long index, boolean lagging, boolean ready) {}

  /**
   * Where a client's read goes, by the receiving replica's role and the read's policy. Only a
   * leader can confirm a read index; a follower asks it for one ({@code safe}, thesis §6.4: "the
   * follower issues a request to the leader asking for the current readIndex") or hands it the
   * whole read ({@code none}); a candidate knows no leader. {@code unsafe} reads the local state
   * on every role (with the read's minimum index, read-your-writes only).
   */
  public Route route(Role role, Policy policy) {
    if (policy == Policy.UNSAFE) return Route.SERVE_LOCALLY;
    return switch (role) {
      case LEADER -> Route.CONFIRM_AS_LEADER;
      case FOLLOWER -> policy == Policy.SAFE ? Route.ASK_LEADER_FOR_INDEX : Route.FORWARD_TO_LEADER;
      case CANDIDATE -> Route.NO_LEADER;
    };
  }

  /**
   * The current-term gate (thesis §6.4 step 1, Raft §8): a new leader knows its commit index is
   * current only once an entry of its own term committed — before that, entries of earlier terms
   * that a majority holds may not yet count as committed here, and a read served at the commit
   * index could miss a write acknowledged to a client.
   *
   * @param termAtCommit the term of the entry at {@code commitIndex}
   */
  public boolean committedInTerm(long commitIndex, long termAtCommit, long currentTerm) {
    return commitIndex > 0 && termAtCommit == currentTerm;
  }

  /**
   * The three-node shortcut: a read that {@code requester} (a follower) received and sent to this
   * leader in this term needs no heartbeat round when the requester and the leader alone form a
   * majority (a group of three). Both were in this term after the read arrived, so no majority had
   * moved to a newer term before it arrived, and no newer leader can have committed anything this
   * commit index misses — the argument ReadIndex's round makes, with the request as the second
   * acknowledgement. The leader's own reads never qualify.
   */
  public boolean requesterAcknowledges(Quorum quorum, String self, String requester) {
    return !requester.equals(self) && quorum.isMajority(Set.of(self, requester));
  }

  /**
   * How a leader confirms {@code read} before serving it (thesis §6.4 steps 1-2): it waits for
   * the current-term gate, then needs a majority to acknowledge a heartbeat round sent after the
   * read arrived — unless the requester's message already completes that majority. A read
   * forwarded under {@code none} is no exception: a deposed leader must not serve it from stale
   * state.
   */
  public Confirmation confirmation(LeaderRead read, boolean committedInTerm, boolean requesterAcknowledges) {
    if (!committedInTerm) return Confirmation.AFTER_FIRST_COMMIT;
    return requesterAcknowledges ? Confirmation.NOW : Confirmation.BY_ROUND;
  }

  /**
   * What an AppendEntries acknowledgement carrying read round {@code seq} does, the last round
   * sent being {@code lastSentSeq}. Sequence numbers are the leader's own, increasing within its
   * term; an acknowledgement of a round never sent cannot confirm anything.
   */
  public Acknowledgement acknowledgement(long seq, long lastSentSeq) {
    if (seq > lastSentSeq) return Acknowledgement.NEVER_SENT;
    return seq > 0 ? Acknowledgement.COUNTS : Acknowledgement.NONE;
  }

  /**
   * The highest read round a majority of voters acknowledged (thesis §6.4 step 2), by voter id,
   * the leader counting its own rounds ({@code acknowledged} holds each voter's highest round).
   * Reads waiting for that round or an earlier one are confirmed.
   */
  public long confirmedRound(Quorum quorum, Map<String, Long> acknowledged) {
    return quorum.committedIndex(acknowledged);
  }

  /**
   * Which of {@code followers} a leader sends a new read round to: the fewest voters, most
   * recently acknowledging first ({@code recentFirst}), that make a majority with the leader; all
   * followers when those it heard from cannot (a new leader's first round). In a group of five it
   * asks two followers instead of four, in seven three instead of six.
   *
   * <p>Liveness only, never safety: which acknowledgements confirm a round does not depend on
   * where it went ({@link #confirmedRound}), and every AppendEntries carries the last round sent,
   * so when one of the chosen is slow or gone the next regular heartbeat, which goes to every
   * follower, completes the round (one heartbeat interval later).
   */
  public Set<String> roundRecipients(Quorum quorum, String self, List<String> recentFirst,
      Collection<String> followers) {
    Set<String> counted = new HashSet<>(Set.of(self));
    Set<String> chosen = new LinkedHashSet<>();
    for (String f : recentFirst) {
      if (quorum.isMajority(counted)) return chosen;
      if (!followers.contains(f) || !quorum.isVoter(f)) continue;
      chosen.add(f);
      counted.add(f);
    }
    return quorum.isMajority(counted) ? chosen : new LinkedHashSet<>(followers);
  }

  /**
   * A leader of {@code currentTerm} receives a ReadIndex request sent in {@code requestTerm}. A
   * request of an earlier term was meant for a leader of that term, which the follower has since
   * stopped following: it is refused with the current term (the follower fails its reads
   * retryably and learns the term), never answered with a read index.
   */
  public IndexRequestAnswer answerIndexRequest(long requestTerm, long currentTerm) {
    return requestTerm == currentTerm ? IndexRequestAnswer.CONFIRM : IndexRequestAnswer.REFUSE;
  }

  /**
   * A follower's answer to its ReadIndex request sent to a leader in {@code requestTerm}: a read
   * index counts only when the leader confirmed ({@code ok}) in the term the request was sent in;
   * anything else fails the request's reads retryably.
   */
  public boolean grantsReadIndex(boolean ok, long answerTerm, long requestTerm) {
    return ok && answerTerm == requestTerm;
  }

  /**
   * A follower's read forwarded under {@code none} to {@code sentTo} in {@code sentTerm} gets a
   * result from {@code from} in {@code term}. Only the leader it went to can answer it: any other
   * node's answer (a late one from an earlier leader, a misdirected one) is ignored. A served result
   * counts only from the term the read went in (that leader confirmed its leadership in it); a
   * failure from that leader counts in any term, the read then failing retryably.
   */
  public boolean acceptsForwardedResult(String sentTo, long sentTerm, String from, long term, boolean ok) {
    return sentTo.equals(from) && (!ok || sentTerm == term);
  }

  /**
   * Thesis §6.4 steps 3-4: a read with a read index (0 for {@code unsafe}) waits until the state
   * machine has applied it and the read's own minimum index (read-your-writes); it is served from
   * that state ({@link #released}). A replica more than {@code maxReadLag} entries short of that
   * says so at once instead of letting the read time out.
   */
  public Hold hold(long readIndex, long minIndex, long applied, long maxReadLag) {
    long index = Math.max(readIndex, minIndex);
    boolean lagging = index - applied > maxReadLag;
    return new Hold(index, lagging, !lagging && released(index, applied));
  }

  /**
   * Whether a read held at {@code index} ({@link #hold}) may be served now: the state machine
   * applied {@code applied >= index}, so its state includes every write committed before the read's
   * index was confirmed (thesis §6.4 step 4).
   */
  public boolean released(long index, long applied) {
    return applied >= index;
  }
}
