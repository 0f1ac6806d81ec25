package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.Quorum;
import io.chronik.raft.core.RaftRules;
import io.chronik.raft.core.ReadRules;
import io.chronik.raft.transcript.Transcripts;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mutation testing of the read rules: for every public method of {@link ReadRules}, a mutant — a
 * subclass overriding that one method with a plausible bug, injected as a value through
 * {@link ReplicaSettings#withRules} — must make the read transcript that pins the rule fail, while
 * the standard rules pass it.
 */
class ReadRuleMutantsTest {

  static Stream<Arguments> mutants() {
    return Stream.of(
        mutant("route: a follower forwards a safe read instead of asking for a read index",
            "01-follower-read-three-nodes.txt", new ReadRules() {
              @Override
              public Route route(Role role, Policy policy) {
                return role == Role.FOLLOWER && policy == Policy.SAFE ? Route.FORWARD_TO_LEADER
                    : super.route(role, policy);
              }
            }),
        mutant("route: a candidate serves a safe read from its local state",
            "17-candidate-serves-only-unsafe-reads.txt", new ReadRules() {
              @Override
              public Route route(Role role, Policy policy) {
                return role == Role.CANDIDATE && policy == Policy.SAFE ? Route.SERVE_LOCALLY
                    : super.route(role, policy);
              }
            }),
        mutant("committedInTerm: no current-term gate (a leader serves before its no-op commits)",
            "11-gate-releases-waiting-reads.txt", new ReadRules() {
              @Override
              public boolean committedInTerm(long commitIndex, long termAtCommit, long currentTerm) {
                return commitIndex > 0;
              }
            }),
        mutant("requesterAcknowledges: the three-node shortcut in any group size",
            "02-follower-read-five-nodes.txt", new ReadRules() {
              @Override
              public boolean requesterAcknowledges(Quorum quorum, String self, String requester) {
                return !requester.equals(self);
              }
            }),
        mutant("confirmation: a read forwarded under none is served without confirming leadership",
            "10-forwarded-read-five-nodes.txt", new ReadRules() {
              @Override
              public Confirmation confirmation(LeaderRead read, boolean committedInTerm,
                  boolean requesterAcknowledges) {
                return read == LeaderRead.FORWARDED_READ ? Confirmation.NOW
                    : super.confirmation(read, committedInTerm, requesterAcknowledges);
              }
            }),
        mutant("confirmation: reads that arrived before the first commit are confirmed at the stale commit index",
            "11-gate-releases-waiting-reads.txt", new ReadRules() {
              @Override
              public Confirmation confirmation(LeaderRead read, boolean committedInTerm,
                  boolean requesterAcknowledges) {
                return super.confirmation(read, true, requesterAcknowledges);
              }
            }),
        mutant("acknowledgement: an acknowledgement of a round never sent is trusted",
            "14-ack-of-unsent-round-ignored.txt", new ReadRules() {
              @Override
              public Acknowledgement acknowledgement(long seq, long lastSentSeq) {
                return seq > 0 ? Acknowledgement.COUNTS : Acknowledgement.NONE;
              }
            }),
        mutant("confirmedRound: one follower's acknowledgement confirms a round (no majority)",
            "13-round-needs-a-majority.txt", new ReadRules() {
              @Override
              public long confirmedRound(Quorum quorum, Map<String, Long> acknowledged) {
                return acknowledged.values().stream().mapToLong(Long::longValue).max().orElse(0);
              }
            }),
        mutant("roundRecipients: the most recent acknowledger alone is asked, no majority with the leader",
            "20-round-to-the-most-recent-majority.txt", new ReadRules() {
              @Override
              public Set<String> roundRecipients(Quorum quorum, String self, List<String> recentFirst,
                  Collection<String> followers) {
                return recentFirst.isEmpty() ? Set.copyOf(followers) : Set.of(recentFirst.get(0));
              }
            }),
        mutant("answerIndexRequest: a ReadIndex request of an earlier term is answered as current",
            "06-stale-term-request-refused.txt", new ReadRules() {
              @Override
              public IndexRequestAnswer answerIndexRequest(long requestTerm, long currentTerm) {
                return IndexRequestAnswer.CONFIRM;
              }
            }),
        mutant("grantsReadIndex: a not-ok answer is taken as a read index",
            "06-stale-term-request-refused.txt", new ReadRules() {
              @Override
              public boolean grantsReadIndex(boolean ok, long answerTerm, long requestTerm) {
                return answerTerm == requestTerm;
              }
            }),
        mutant("acceptsForwardedResult: a forwarded read is answered by whichever node replies",
            "16-forwarded-result-only-from-its-leader.txt", new ReadRules() {
              @Override
              public boolean acceptsForwardedResult(String sentTo, long sentTerm, String from, long term,
                  boolean ok) {
                return !ok || sentTerm == term;
              }
            }),
        mutant("hold: the read's minimum index is ignored (no read-your-writes)",
            "12-min-index-read-your-writes.txt", new ReadRules() {
              @Override
              public Hold hold(long readIndex, long minIndex, long applied, long maxReadLag) {
                return super.hold(readIndex, 0, applied, maxReadLag);
              }
            }),
        mutant("hold: max-read-lag is ignored (a lagging replica holds the read until it times out)",
            "18-max-read-lag.txt", new ReadRules() {
              @Override
              public Hold hold(long readIndex, long minIndex, long applied, long maxReadLag) {
                return super.hold(readIndex, minIndex, applied, Long.MAX_VALUE);
              }
            }),
        mutant("hold: a read exactly max-read-lag short is refused (>= for >)",
            "18-max-read-lag.txt", new ReadRules() {
              @Override
              public Hold hold(long readIndex, long minIndex, long applied, long maxReadLag) {
                return super.hold(readIndex, minIndex, applied, maxReadLag - 1);
              }
            }),
        mutant("released: a read is served before the replica applied its read index",
            "19-read-index-commits-the-proved-prefix.txt", new ReadRules() {
              @Override
              public boolean released(long index, long applied) {
                return true;
              }
            }));
  }

  private static Arguments mutant(String bug, String transcript, ReadRules rules) {
    return Arguments.of(bug, transcript, rules);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mutants")
  void eachBrokenReadRuleFailsItsTranscript(String bug, String transcript, ReadRules mutant) {
    Path file = ReadTranscriptTest.DIR.resolve(transcript);
    ReplicaSettings standard = OneReplica.settings();
    assertTrue(Transcripts.matches(file, new ReadTranscriptTest.Script(standard)), transcript + " fails as written");
    ReplicaSettings broken = standard.withRules(RaftRules.STANDARD.withReads(mutant));
    assertFalse(Transcripts.matches(file, new ReadTranscriptTest.Script(broken)), bug + ": went unnoticed by " + transcript);
  }

  @Test
  void everyPublicReadRuleHasAMutant() {
    Set<String> rules = Arrays.stream(ReadRules.class.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers())).map(Method::getName).collect(Collectors.toSet());
    Set<String> mutated = mutants().map(a -> a.get()[2].getClass().getDeclaredMethods()).flatMap(Arrays::stream)
        .map(Method::getName).collect(Collectors.toSet());
    assertEquals(rules, mutated);
  }
}
