package io.chronik.raft.core;

import java.time.Duration;
import java.util.Map;

/**
 * Elections (Raft §5.2, thesis §4.2.3 and §9.6): the term check every message passes first and the answer to a stale one, vote and pre-vote granting (the leader lease and its leadership-transfer exception), the randomized election timeout, and counting votes.
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 *
 * <p>The replica's shell asks these methods and executes the answer: it adopts a term, writes a
 * vote, sends a response, changes role. None of them changes anything itself.
 */
public class ElectionRules {
  /**
   * Election timeouts a draining replica (its node is stopping) lets pass without a leader before
   * it campaigns after all: the others should lead, but one of them may lack entries only it holds.
   */
  public static final int DRAINING_PATIENCE = 2;

  // ---------------------------------------------------------------- values in

  /** What the term check needs to know of a peer message's kind. */
  public enum Kind {
    /** AppendEntries or InstallSnapshot: only a leader of the message's term sends them. */
    FROM_LEADER,
    /** A real RequestVote. */
    VOTE_REQUEST,
    /** A pre-vote RequestVote (thesis §9.6): asks, changes no term. */
    PRE_VOTE_REQUEST,
    /** A granted pre-vote RequestVoteResponse: carries the term the candidate asked about, not the voter's. */
    PRE_VOTE_GRANTED,
    /** Anything else: responses, refusals, read and forwarding traffic. */
    OTHER
  }

  /** A RequestVote as the rules see it (real or pre-vote). */
  public record VoteRequest(long term, String candidate, long lastLogIndex, long lastLogTerm, boolean preVote,
      boolean leadershipTransfer) {}

  /** A peer message as the term check sees it; {@code vote} is set only for a RequestVote. */
  public record Incoming(long term, Kind kind, VoteRequest vote) {
    public static Incoming of(long term, Kind kind) {
      return new Incoming(term, kind, null);
    }

    public static Incoming of(VoteRequest vote) {
      return new Incoming(vote.term(), vote.preVote() ? Kind.PRE_VOTE_REQUEST : Kind.VOTE_REQUEST, vote);
    }
  }

  /**
   * What a voter knows when a candidate asks: its term and the vote it cast in it ("" none), the
   * last entry of its log, and whether it is within a leader lease ({@link #inLeaderLease}).
   */
  public record Voter(long term, String votedFor, long lastLogIndex, long lastLogTerm, boolean inLease) {}

  /**
   * What the leader lease ({@link #inLeaderLease}) depends on: whether CheckQuorum is on, whether
   * this replica leads, and whether it heard from a current leader within the minimum election
   * timeout.
   */
  public record Lease(boolean checkQuorum, boolean isLeader, boolean leaderRecentlySeen) {}

  // ---------------------------------------------------------------- decisions out

  /** The term check's verdict on a peer message (Raft §5.1). */
  public enum TermCheck {
    /** Current term (or a pre-vote, which changes no term): the role handles it. */
    HANDLE,
    /** Newer term from a leader of it: adopt the term, follow the sender, then handle the message. */
    ADOPT_TERM_AND_FOLLOW_SENDER,
    /** Newer term, leader unknown: adopt the term, become a follower, then handle the message. */
    ADOPT_TERM_AND_FOLLOW,
    /** A RequestVote of a newer term within the leader lease (thesis §4.2.3): dropped, term kept. */
    IGNORE_IN_LEASE,
    /** Older term: answered with the current term or dropped, never handled by the role. */
    STALE
  }

  /**
   * The answer to a RequestVote: whether it is granted, the term the response carries, and
   * whether the voter must durably record the vote (and restart its election timer) before it.
   */
  public record VoteDecision(boolean granted, long responseTerm, boolean recordVote) {}

  /** What a candidate's campaign does after counting. */
  public enum CampaignOutcome {
    /** No majority either way yet. */
    WAIT,
    /** A pre-vote campaign won: start the real election (new term, vote for self). */
    RUN_ELECTION,
    /** A real election won (Raft §5.2): become leader. */
    LEAD,
    /** A majority refused: give up and become a follower (the election timer retries). */
    FOLLOW
  }

  /** What an election timeout makes a follower or candidate do. */
  public enum TimeoutAction {
    /** Draining and still patient: wait another timeout. */
    WAIT,
    /** Ask first with a pre-vote campaign (thesis §9.6). */
    PRE_VOTE,
    /** Start a real election now. */
    CAMPAIGN
  }

  // ---------------------------------------------------------------- the rules

  /**
   * Raft §5.1, the check every peer message passes before any role sees it. A newer term makes
   * this replica a follower of that term first — except a pre-vote request or granted pre-vote
   * response, whose term is only hypothetical (thesis §9.6), and except a RequestVote while in
   * the leader lease (thesis §4.2.3: a server that heard from a current leader within the minimum
   * election timeout ignores it, so a partitioned node rejoining with a higher term cannot depose
   * a working leader). The lease yields to a leadership transfer (thesis §3.10) only when the
   * candidate's log is up to date: a late TimeoutNow to a replica that fell behind must not push
   * everyone into a new term for an election it would lose. An older term is stale. The lease and
   * the log are looked at only for a newer-term vote request.
   */
  public TermCheck termCheck(long currentTerm, RaftLog log, Lease lease, Incoming m) {
    if (m.term() < currentTerm) return TermCheck.STALE;
    if (m.term() == currentTerm) return TermCheck.HANDLE;
    switch (m.kind()) {
      case PRE_VOTE_REQUEST, PRE_VOTE_GRANTED -> {
        return TermCheck.HANDLE;
      }
      case VOTE_REQUEST -> {
        VoteRequest rv = m.vote();
        boolean transferWorthIt = rv.leadershipTransfer()
            && logUpToDate(log.lastIndex(), log.lastTerm(), rv.lastLogIndex(), rv.lastLogTerm());
        if (!transferWorthIt && inLeaderLease(lease.checkQuorum(), lease.isLeader(), lease.leaderRecentlySeen())) {
          return TermCheck.IGNORE_IN_LEASE;
        }
        return TermCheck.ADOPT_TERM_AND_FOLLOW;
      }
      case FROM_LEADER -> {
        return TermCheck.ADOPT_TERM_AND_FOLLOW_SENDER;
      }
      default -> {
        return TermCheck.ADOPT_TERM_AND_FOLLOW;
      }
    }
  }

  /**
   * Raft §5.4.1: the candidate's log is at least as up to date as the voter's — its last entry
   * has a later term, or the same term and an index at least as high. Terms first: a longer log
   * of older terms may lack committed entries.
   */
  public boolean logUpToDate(long voterLastIndex, long voterLastTerm, long candidateLastIndex,
      long candidateLastTerm) {
    return candidateLastTerm > voterLastTerm
        || (candidateLastTerm == voterLastTerm && candidateLastIndex >= voterLastIndex);
  }

  /**
   * Raft §5.2 / §5.4.1: a real vote is granted at most once per term (to whom it was already
   * granted, again: a duplicated request), only to a candidate whose log is up to date, and is
   * recorded durably before the answer leaves (the request is of the voter's term: the term check
   * ran first). A pre-vote (thesis §9.6) records nothing; it is granted for a later term, to an
   * up-to-date log, and only outside the leader lease (thesis §4.2.3), so a node that cannot
   * hear the leader cannot start a disruptive election. A granted pre-vote carries the asked term.
   */
  public VoteDecision vote(Voter voter, VoteRequest rv) {
    boolean upToDate = logUpToDate(voter.lastLogIndex(), voter.lastLogTerm(), rv.lastLogIndex(), rv.lastLogTerm());
    if (rv.preVote()) {
      boolean grant = rv.term() > voter.term() && upToDate && !voter.inLease();
      return new VoteDecision(grant, grant ? rv.term() : voter.term(), false);
    }
    boolean grant = (voter.votedFor().isEmpty() || voter.votedFor().equals(rv.candidate())) && upToDate;
    return new VoteDecision(grant, voter.term(), grant);
  }

  /**
   * Thesis §4.2.3 (with CheckQuorum): the leader itself, and a replica that heard from a current
   * leader within the minimum election timeout, believe a leader is alive: they refuse pre-votes
   * and ignore newer-term vote requests. Without CheckQuorum a leader never steps down on its own,
   * so the lease would keep a partitioned leader's followers from ever electing another: no lease.
   */
  public boolean inLeaderLease(boolean checkQuorum, boolean isLeader, boolean leaderRecentlySeen) {
    return checkQuorum && (isLeader || leaderRecentlySeen);
  }

  /**
   * Raft §5.2: the election timeout is randomized in [T, 2T) so that split votes resolve — one
   * candidate usually times out first and wins before the others wake. {@code random} in [0, 1).
   */
  public Duration electionTimeout(Duration base, double random) {
    long millis = base.toMillis();
    return Duration.ofMillis(millis + (long) (random * millis));
  }

  /**
   * Raft §5.2: a candidate campaigns for the term after the current one — a real candidate
   * adopts it (and votes for itself), a pre-candidate only asks about it (thesis §9.6).
   */
  public long campaignTerm(long currentTerm, boolean preVote) {
    return currentTerm + 1;
  }

  /**
   * Whether a RequestVoteResponse counts in a campaign: it answers this kind of campaign (pre-vote
   * or real), and a grant is for this campaign's term — a grant carries the asked term, and one
   * for an earlier campaign of this replica must not elect it now. A refusal carries the voter's
   * term and counts whatever it is (a newer term made this replica a follower before this).
   */
  public boolean counts(boolean campaignPreVote, long campaignTerm, boolean responsePreVote, boolean granted,
      long responseTerm) {
    if (responsePreVote != campaignPreVote) return false;
    return !granted || responseTerm == campaignTerm;
  }

  /**
   * Raft §5.2: a campaign is won by a majority of the voters (counted by voter id, {@link
   * Quorum#voteResult}), lost once a majority refused. A won pre-vote starts the real election.
   */
  public CampaignOutcome tally(Quorum quorum, Map<String, Boolean> votes, boolean preVote) {
    return switch (quorum.voteResult(votes)) {
      case WON -> preVote ? CampaignOutcome.RUN_ELECTION : CampaignOutcome.LEAD;
      case LOST -> CampaignOutcome.FOLLOW;
      case PENDING -> CampaignOutcome.WAIT;
    };
  }

  /**
   * Raft §5.2: an election timeout without hearing from a leader starts a campaign — with a
   * pre-vote first where enabled (thesis §9.6). A draining replica (its node is stopping) lets
   * {@link #DRAINING_PATIENCE} timeouts pass first so that another replica leads; {@code
   * timeoutsWhileDraining} is how many it let pass since it last heard from a leader.
   */
  public TimeoutAction onElectionTimeout(boolean draining, int timeoutsWhileDraining, boolean preVoteEnabled) {
    if (draining && timeoutsWhileDraining < DRAINING_PATIENCE) return TimeoutAction.WAIT;
    return preVoteEnabled ? TimeoutAction.PRE_VOTE : TimeoutAction.CAMPAIGN;
  }

  /**
   * Thesis §3.10: the leader made this log as complete as its own and asks for an election now —
   * a real one, no pre-vote (the leader itself gives way, so it is not disruptive). A draining
   * replica declines: it would only have to hand leadership away again.
   */
  public boolean campaignOnTimeoutNow(boolean draining) {
    return !draining;
  }
}
