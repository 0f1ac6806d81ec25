package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.ElectionRules;
import io.chronik.raft.core.Quorum;
import io.chronik.raft.core.RaftRules;
import io.chronik.raft.transcript.Transcripts;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each election rule broken on purpose, as a value: an {@link ElectionRules} subclass overriding
 * one method with a plausible bug, given to the replica through {@link ReplicaSettings#withRules}.
 * The named transcript must run as written with the standard rules and must not with the mutant:
 * the transcripts would catch that bug.
 */
class ElectionRuleMutantsTest {
  record Mutant(String bug, String transcript, ElectionRules rules) {}

  static Stream<Mutant> mutants() {
    return Stream.of(
        new Mutant("a stale message is handled instead of answered", "08-stale-term-answered.txt",
            new ElectionRules() {
              @Override
              public TermCheck termCheck(long currentTerm, io.chronik.raft.core.RaftLog log, ElectionRules.Lease lease,
                  Incoming m) {
                return m.term() < currentTerm ? TermCheck.HANDLE
                    : super.termCheck(currentTerm, log, lease, m);
              }
            }),
        new Mutant("the lease yields to a transfer without the up-to-date check", "05-transfer-vote-in-lease.txt",
            new ElectionRules() {
              @Override
              public TermCheck termCheck(long currentTerm, io.chronik.raft.core.RaftLog log, ElectionRules.Lease lease,
                  Incoming m) {
                if (m.term() > currentTerm && m.kind() == Kind.VOTE_REQUEST && m.vote().leadershipTransfer()) {
                  return TermCheck.ADOPT_TERM_AND_FOLLOW;
                }
                return super.termCheck(currentTerm, log, lease, m);
              }
            }),
        new Mutant("a newer-term vote request is adopted inside the lease", "06-disruptive-rejoin-ignored.txt",
            new ElectionRules() {
              @Override
              public TermCheck termCheck(long currentTerm, io.chronik.raft.core.RaftLog log, ElectionRules.Lease lease,
                  Incoming m) {
                return super.termCheck(currentTerm, log, new ElectionRules.Lease(false, false, false), m);
              }
            }),
        new Mutant("the up-to-date check ignores the last term", "03-older-log-refused.txt",
            new ElectionRules() {
              @Override
              public boolean logUpToDate(long voterLastIndex, long voterLastTerm, long candidateLastIndex,
                  long candidateLastTerm) {
                return candidateLastIndex >= voterLastIndex;
              }
            }),
        new Mutant("a vote is granted twice in a term", "02-vote-once-per-term.txt",
            new ElectionRules() {
              @Override
              public VoteDecision vote(Voter voter, VoteRequest rv) {
                VoteDecision d = super.vote(new Voter(voter.term(), "", voter.lastLogIndex(), voter.lastLogTerm(),
                    voter.inLease()), rv);
                boolean record = d.recordVote() && (voter.votedFor().isEmpty() || voter.votedFor().equals(rv.candidate()));
                return new VoteDecision(d.granted(), d.responseTerm(), record);
              }
            }),
        new Mutant("a pre-vote is granted inside the lease", "04-pre-vote-refused-in-lease.txt",
            new ElectionRules() {
              @Override
              public VoteDecision vote(Voter voter, VoteRequest rv) {
                return super.vote(new Voter(voter.term(), voter.votedFor(), voter.lastLogIndex(), voter.lastLogTerm(),
                    false), rv);
              }
            }),
        new Mutant("only the leader holds a lease, not its followers", "04-pre-vote-refused-in-lease.txt",
            new ElectionRules() {
              @Override
              public boolean inLeaderLease(boolean checkQuorum, boolean isLeader, boolean leaderRecentlySeen) {
                return checkQuorum && isLeader;
              }
            }),
        new Mutant("the election timeout is in [0, T), not [T, 2T)", "01-timeout-pre-vote-then-election.txt",
            new ElectionRules() {
              @Override
              public Duration electionTimeout(Duration base, double random) {
                return Duration.ofMillis((long) (random * base.toMillis()));
              }
            }),
        new Mutant("a pre-vote asks about the current term", "01-timeout-pre-vote-then-election.txt",
            new ElectionRules() {
              @Override
              public long campaignTerm(long currentTerm, boolean preVote) {
                return preVote ? currentTerm : currentTerm + 1;
              }
            }),
        new Mutant("a pre-vote grant counts in the real election", "10-five-node-majority.txt",
            new ElectionRules() {
              @Override
              public boolean counts(boolean campaignPreVote, long campaignTerm, boolean responsePreVote,
                  boolean granted, long responseTerm) {
                return !granted || responseTerm == campaignTerm;
              }
            }),
        new Mutant("the quorum is counted off by one", "10-five-node-majority.txt",
            new ElectionRules() {
              @Override
              public CampaignOutcome tally(Quorum quorum, Map<String, Boolean> votes, boolean preVote) {
                long granted = votes.entrySet().stream().filter(e -> e.getValue() && quorum.isVoter(e.getKey())).count();
                if (granted >= quorum.majority() - 1 && granted > 1) {
                  return preVote ? CampaignOutcome.RUN_ELECTION : CampaignOutcome.LEAD;
                }
                return super.tally(quorum, votes, preVote);
              }
            }),
        new Mutant("a lost campaign is never given up", "11-majority-refuses.txt",
            new ElectionRules() {
              @Override
              public CampaignOutcome tally(Quorum quorum, Map<String, Boolean> votes, boolean preVote) {
                CampaignOutcome o = super.tally(quorum, votes, preVote);
                return o == CampaignOutcome.FOLLOW ? CampaignOutcome.WAIT : o;
              }
            }),
        new Mutant("the draining patience is one timeout short", "12-draining-patience.txt",
            new ElectionRules() {
              @Override
              public TimeoutAction onElectionTimeout(boolean draining, int timeoutsWhileDraining,
                  boolean preVoteEnabled) {
                return super.onElectionTimeout(draining, timeoutsWhileDraining + 1, preVoteEnabled);
              }
            }),
        new Mutant("a timeout campaigns without the pre-vote", "01-timeout-pre-vote-then-election.txt",
            new ElectionRules() {
              @Override
              public TimeoutAction onElectionTimeout(boolean draining, int timeoutsWhileDraining,
                  boolean preVoteEnabled) {
                return super.onElectionTimeout(draining, timeoutsWhileDraining, false);
              }
            }),
        new Mutant("a draining replica obeys TimeoutNow", "12-draining-patience.txt",
            new ElectionRules() {
              @Override
              public boolean campaignOnTimeoutNow(boolean draining) {
                return true;
              }
            }));
  }

  @TestFactory
  Stream<DynamicTest> eachMutantIsCaught() {
    return mutants().map(m -> DynamicTest.dynamicTest(m.bug() + " (" + m.transcript() + ")", () -> {
      var file = ElectionTranscriptTest.DIR.resolve(m.transcript());
      assertTrue(Transcripts.matches(file, new ElectionTranscriptTest.Script()), "standard rules: " + file);
      ReplicaSettings mutant = OneReplica.settings().withRules(RaftRules.STANDARD.withElection(m.rules()));
      assertFalse(Transcripts.matches(file, new ElectionTranscriptTest.Script(mutant)), "mutant not caught: " + m.bug());
    }));
  }
}
