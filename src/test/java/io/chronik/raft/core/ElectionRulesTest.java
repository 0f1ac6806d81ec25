package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.ElectionRules.CampaignOutcome;
import io.chronik.raft.core.ElectionRules.Incoming;
import io.chronik.raft.core.ElectionRules.Kind;
import io.chronik.raft.core.ElectionRules.TermCheck;
import io.chronik.raft.core.ElectionRules.TimeoutAction;
import io.chronik.raft.core.ElectionRules.VoteDecision;
import io.chronik.raft.core.ElectionRules.VoteRequest;
import io.chronik.raft.core.ElectionRules.Voter;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The election rules, value in, decision out: each test is a sentence of Raft §5.1, §5.2, §5.4.1 or thesis §4.2.3/§9.6. */
class ElectionRulesTest {
  private final ElectionRules rules = new ElectionRules();
  /** A voter's log whose last entry is index 3 of term 2. */
  private static final RaftLog LOG_3_2 = new RaftLog(3, 2, java.util.List.of());
  /** A follower that heard from its leader within the minimum election timeout, CheckQuorum on. */
  private static final ElectionRules.Lease IN_LEASE = new ElectionRules.Lease(true, false, true);
  private static final ElectionRules.Lease NO_LEASE = new ElectionRules.Lease(true, false, false);

  private static VoteRequest vote(long term, String from, long lastIndex, long lastTerm) {
    return new VoteRequest(term, from, lastIndex, lastTerm, false, false);
  }

  private static VoteRequest preVote(long term, String from, long lastIndex, long lastTerm) {
    return new VoteRequest(term, from, lastIndex, lastTerm, true, false);
  }

  private static VoteRequest transfer(long term, String from, long lastIndex, long lastTerm) {
    return new VoteRequest(term, from, lastIndex, lastTerm, false, true);
  }

  // ---------------------------------------------------------------- §5.1 term check

  @Test
  void anOlderTermIsStaleWhateverTheMessage() {
    for (Kind kind : Kind.values()) {
      assertEquals(TermCheck.STALE, rules.termCheck(5, LOG_3_2, NO_LEASE, Incoming.of(4, kind)));
    }
  }

  @Test
  void theCurrentTermIsHandledByTheRole() {
    assertEquals(TermCheck.HANDLE, rules.termCheck(5, LOG_3_2, IN_LEASE, Incoming.of(vote(5, "c", 0, 0))));
    assertEquals(TermCheck.HANDLE, rules.termCheck(5, LOG_3_2, NO_LEASE, Incoming.of(5, Kind.FROM_LEADER)));
  }

  @Test
  void aNewerTermFromALeaderIsAdoptedAndItsSenderFollowed() {
    assertEquals(TermCheck.ADOPT_TERM_AND_FOLLOW_SENDER, rules.termCheck(5, LOG_3_2, IN_LEASE, Incoming.of(6, Kind.FROM_LEADER)));
  }

  @Test
  void aNewerTermOtherwiseIsAdoptedWithNoLeaderKnown() {
    assertEquals(TermCheck.ADOPT_TERM_AND_FOLLOW, rules.termCheck(5, LOG_3_2, NO_LEASE, Incoming.of(6, Kind.OTHER)));
    assertEquals(TermCheck.ADOPT_TERM_AND_FOLLOW, rules.termCheck(5, LOG_3_2, NO_LEASE, Incoming.of(vote(6, "c", 0, 0))));
  }

  @Test
  void aPreVoteChangesNoTermEvenInLaterTerms() {
    assertEquals(TermCheck.HANDLE, rules.termCheck(5, LOG_3_2, NO_LEASE, Incoming.of(preVote(6, "c", 3, 2))));
    assertEquals(TermCheck.HANDLE, rules.termCheck(5, LOG_3_2, IN_LEASE, Incoming.of(6, Kind.PRE_VOTE_GRANTED)));
  }

  @Test
  void aNewerTermVoteRequestIsIgnoredInTheLeaderLease() {
    assertEquals(TermCheck.IGNORE_IN_LEASE, rules.termCheck(5, LOG_3_2, IN_LEASE, Incoming.of(vote(9, "c", 3, 2))));
  }

  @Test
  void theLeaseYieldsToATransferOnlyForAnUpToDateCandidate() {
    assertEquals(TermCheck.ADOPT_TERM_AND_FOLLOW, rules.termCheck(5, LOG_3_2, IN_LEASE, Incoming.of(transfer(6, "c", 3, 2))));
    assertEquals(TermCheck.IGNORE_IN_LEASE, rules.termCheck(5, LOG_3_2, IN_LEASE, Incoming.of(transfer(6, "c", 2, 2))));
  }

  // ---------------------------------------------------------------- §5.4.1 up to date

  @Test
  void aLaterLastTermIsUpToDateWhateverTheLength() {
    assertTrue(rules.logUpToDate(10, 2, 1, 3));
    assertFalse(rules.logUpToDate(1, 3, 10, 2));
  }

  @Test
  void theSameLastTermNeedsAnIndexAtLeastAsHigh() {
    assertTrue(rules.logUpToDate(3, 2, 3, 2));
    assertTrue(rules.logUpToDate(3, 2, 4, 2));
    assertFalse(rules.logUpToDate(3, 2, 2, 2));
  }

  // ---------------------------------------------------------------- §5.2 votes

  @Test
  void aVoteIsGrantedOncePerTermAndRecorded() {
    assertEquals(new VoteDecision(true, 3, true), rules.vote(new Voter(3, "", 3, 2, false), vote(3, "c", 3, 2)));
    assertEquals(new VoteDecision(false, 3, false), rules.vote(new Voter(3, "c", 3, 2, false), vote(3, "a", 3, 2)));
    // the same candidate asking again (a duplicated request) gets the same answer
    assertEquals(new VoteDecision(true, 3, true), rules.vote(new Voter(3, "c", 3, 2, false), vote(3, "c", 3, 2)));
  }

  @Test
  void aVoteIsRefusedToAnOlderLog() {
    assertEquals(new VoteDecision(false, 3, false), rules.vote(new Voter(3, "", 3, 2, false), vote(3, "c", 5, 1)));
  }

  @Test
  void aPreVoteIsGrantedForALaterTermOutsideTheLeaseAndRecordsNothing() {
    assertEquals(new VoteDecision(true, 4, false), rules.vote(new Voter(3, "b", 3, 2, false), preVote(4, "c", 3, 2)));
    assertEquals(new VoteDecision(false, 3, false), rules.vote(new Voter(3, "", 3, 2, true), preVote(4, "c", 3, 2)));
    assertEquals(new VoteDecision(false, 3, false), rules.vote(new Voter(3, "", 3, 2, false), preVote(3, "c", 3, 2)));
    assertEquals(new VoteDecision(false, 3, false), rules.vote(new Voter(3, "", 3, 2, false), preVote(4, "c", 2, 2)));
  }

  @Test
  void theLeaseNeedsCheckQuorumAndALiveLeader() {
    assertTrue(rules.inLeaderLease(true, true, false));
    assertTrue(rules.inLeaderLease(true, false, true));
    assertFalse(rules.inLeaderLease(true, false, false));
    assertFalse(rules.inLeaderLease(false, true, true));
  }

  @Test
  void theElectionTimeoutIsInTToTwoT() {
    Duration t = Duration.ofMillis(300);
    assertEquals(Duration.ofMillis(300), rules.electionTimeout(t, 0.0));
    assertEquals(Duration.ofMillis(450), rules.electionTimeout(t, 0.5));
    assertEquals(Duration.ofMillis(599), rules.electionTimeout(t, 0.999_999));
  }

  // ---------------------------------------------------------------- campaigns

  @Test
  void aCampaignIsForTheNextTerm() {
    assertEquals(4, rules.campaignTerm(3, true));
    assertEquals(4, rules.campaignTerm(3, false));
  }

  @Test
  void onlyAnswersToThisCampaignCount() {
    assertTrue(rules.counts(false, 4, false, true, 4));
    assertFalse(rules.counts(false, 4, true, true, 4), "a pre-vote answer in a real election");
    assertFalse(rules.counts(true, 5, true, true, 4), "a grant for an earlier pre-vote campaign");
    assertTrue(rules.counts(true, 5, true, false, 3), "a refusal counts whatever term it carries");
  }

  @Test
  void aMajorityWinsAndAMajorityOfRefusalsLoses() {
    Quorum five = new Quorum(Set.of("a", "b", "c", "d", "e"));
    assertEquals(CampaignOutcome.WAIT, rules.tally(five, Map.of("a", true, "b", true), false));
    assertEquals(CampaignOutcome.LEAD, rules.tally(five, Map.of("a", true, "b", true, "c", true), false));
    assertEquals(CampaignOutcome.RUN_ELECTION, rules.tally(five, Map.of("a", true, "b", true, "c", true), true));
    assertEquals(CampaignOutcome.FOLLOW, rules.tally(five, Map.of("a", true, "b", false, "c", false, "d", false), false));
    assertEquals(CampaignOutcome.WAIT, rules.tally(five, Map.of("a", true, "x", true, "y", true), false), "non-voters");
  }

  @Test
  void aTimeoutCampaignsUnlessDrainingAndStillPatient() {
    assertEquals(TimeoutAction.PRE_VOTE, rules.onElectionTimeout(false, 0, true));
    assertEquals(TimeoutAction.CAMPAIGN, rules.onElectionTimeout(false, 0, false));
    assertEquals(TimeoutAction.WAIT, rules.onElectionTimeout(true, 0, true));
    assertEquals(TimeoutAction.WAIT, rules.onElectionTimeout(true, ElectionRules.DRAINING_PATIENCE - 1, true));
    assertEquals(TimeoutAction.PRE_VOTE, rules.onElectionTimeout(true, ElectionRules.DRAINING_PATIENCE, true));
  }

  @Test
  void timeoutNowIsObeyedUnlessDraining() {
    assertTrue(rules.campaignOnTimeoutNow(false));
    assertFalse(rules.campaignOnTimeoutNow(true));
  }
}
