package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.ReadRules.Acknowledgement;
import io.chronik.raft.core.ReadRules.Confirmation;
import io.chronik.raft.core.ReadRules.Hold;
import io.chronik.raft.core.ReadRules.IndexRequestAnswer;
import io.chronik.raft.core.ReadRules.LeaderRead;
import io.chronik.raft.core.ReadRules.Policy;
import io.chronik.raft.core.ReadRules.Role;
import io.chronik.raft.core.ReadRules.Route;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The read rules (thesis §6.4) value in, value out. */
class ReadRulesTest {
  private final ReadRules rules = RaftRules.STANDARD.reads();
  private final Quorum three = new Quorum(Set.of("a", "b", "c"));
  private final Quorum five = new Quorum(Set.of("a", "b", "c", "d", "e"));

  @Test
  void unsafeReadsAreServedLocallyOnEveryRole() {
    for (Role role : Role.values()) assertEquals(Route.SERVE_LOCALLY, rules.route(role, Policy.UNSAFE));
  }

  @Test
  void aLeaderConfirmsSafeAndNoneReads() {
    assertEquals(Route.CONFIRM_AS_LEADER, rules.route(Role.LEADER, Policy.SAFE));
    assertEquals(Route.CONFIRM_AS_LEADER, rules.route(Role.LEADER, Policy.NONE));
  }

  @Test
  void aFollowerAsksForAReadIndexUnderSafeAndForwardsUnderNone() {
    assertEquals(Route.ASK_LEADER_FOR_INDEX, rules.route(Role.FOLLOWER, Policy.SAFE));
    assertEquals(Route.FORWARD_TO_LEADER, rules.route(Role.FOLLOWER, Policy.NONE));
  }

  @Test
  void aCandidateHasNoLeaderForALinearizableRead() {
    assertEquals(Route.NO_LEADER, rules.route(Role.CANDIDATE, Policy.SAFE));
    assertEquals(Route.NO_LEADER, rules.route(Role.CANDIDATE, Policy.NONE));
  }

  @Test
  void theGateOpensOnlyOnceAnEntryOfTheCurrentTermCommitted() {
    assertFalse(rules.committedInTerm(0, 0, 2), "nothing committed");
    assertFalse(rules.committedInTerm(5, 1, 2), "only entries of an earlier term committed");
    assertTrue(rules.committedInTerm(6, 2, 2));
  }

  @Test
  void theRequesterIsTheSecondAcknowledgementOnlyInAGroupOfThree() {
    assertTrue(rules.requesterAcknowledges(three, "a", "b"));
    assertFalse(rules.requesterAcknowledges(five, "a", "b"), "a and b are no majority of five");
    assertFalse(rules.requesterAcknowledges(three, "a", "a"), "the leader's own read is no second acknowledgement");
    assertFalse(rules.requesterAcknowledges(three, "a", "x"), "a non-voter acknowledges nothing");
  }

  @Test
  void everyReadWaitsForTheGateThenARoundUnlessTheRequesterCompletesTheMajority() {
    for (LeaderRead read : LeaderRead.values()) {
      assertEquals(Confirmation.AFTER_FIRST_COMMIT, rules.confirmation(read, false, true));
      assertEquals(Confirmation.AFTER_FIRST_COMMIT, rules.confirmation(read, false, false));
      assertEquals(Confirmation.BY_ROUND, rules.confirmation(read, true, false));
      assertEquals(Confirmation.NOW, rules.confirmation(read, true, true));
    }
  }

  @Test
  void anAcknowledgementCountsOnlyForARoundThatWasSent() {
    assertEquals(Acknowledgement.NONE, rules.acknowledgement(0, 3));
    assertEquals(Acknowledgement.COUNTS, rules.acknowledgement(2, 3));
    assertEquals(Acknowledgement.COUNTS, rules.acknowledgement(3, 3));
    assertEquals(Acknowledgement.NEVER_SENT, rules.acknowledgement(4, 3));
  }

  @Test
  void theConfirmedRoundIsTheOneAMajorityOfVotersAcknowledged() {
    assertEquals(0, rules.confirmedRound(five, Map.of("a", 3L, "b", 3L)));
    assertEquals(2, rules.confirmedRound(five, Map.of("a", 3L, "b", 3L, "c", 2L)));
    assertEquals(0, rules.confirmedRound(five, Map.of("a", 3L, "x", 3L, "y", 3L)), "non-voters count for nothing");
    assertEquals(3, rules.confirmedRound(three, Map.of("a", 3L, "c", 3L)));
  }

  @Test
  void aRequestOfAnEarlierTermIsRefused() {
    assertEquals(IndexRequestAnswer.CONFIRM, rules.answerIndexRequest(2, 2));
    assertEquals(IndexRequestAnswer.REFUSE, rules.answerIndexRequest(1, 2));
  }

  @Test
  void aReadIndexIsGrantedOnlyWhenOkAndOfTheRequestsTerm() {
    assertTrue(rules.grantsReadIndex(true, 2, 2));
    assertFalse(rules.grantsReadIndex(false, 2, 2));
    assertFalse(rules.grantsReadIndex(true, 3, 2));
  }

  @Test
  void aForwardedReadIsAnsweredOnlyByTheLeaderItWentTo() {
    assertTrue(rules.acceptsForwardedResult("a", 2, "a", 2, true));
    assertFalse(rules.acceptsForwardedResult("a", 2, "c", 2, true), "another node's result");
    assertFalse(rules.acceptsForwardedResult("a", 2, "c", 2, false), "another node's failure");
    assertFalse(rules.acceptsForwardedResult("a", 2, "a", 3, true), "served in another term");
    assertTrue(rules.acceptsForwardedResult("a", 2, "a", 3, false), "the leader's failure, any term");
  }

  @Test
  void aReadIsHeldAtTheLargerOfItsReadIndexAndItsMinimumIndex() {
    assertEquals(new Hold(7, false, false), rules.hold(7, 3, 5, 100));
    assertEquals(new Hold(9, false, false), rules.hold(7, 9, 5, 100));
    assertEquals(new Hold(0, false, true), rules.hold(0, 0, 5, 100));
  }

  @Test
  void aReadWhoseIndexIsAppliedIsServedAtOnceAndOnlyThen() {
    assertEquals(new Hold(5, false, true), rules.hold(5, 0, 5, 100), "applied exactly the read index");
    assertEquals(new Hold(6, false, false), rules.hold(5, 6, 5, 100), "its minimum index is not applied yet");
    assertEquals(new Hold(6, true, false), rules.hold(6, 0, 5, 0), "one entry short with max-read-lag 0: lagging");
  }

  @Test
  void aReplicaTooFarBehindSaysSoAtOnce() {
    assertEquals(new Hold(20, false, false), rules.hold(20, 0, 10, 10));
    assertEquals(new Hold(21, true, false), rules.hold(21, 0, 10, 10));
  }

  @Test
  void aHeldReadIsReleasedOnceAppliedReachesItsIndex() {
    assertFalse(rules.released(5, 4));
    assertTrue(rules.released(5, 5));
    assertTrue(rules.released(5, 6));
  }

  @Test
  void aReadRoundGoesToTheMostRecentlyAcknowledgingVotersThatMakeAMajorityWithTheLeader() {
    List<String> followers = List.of("b", "c", "d", "e");
    assertEquals(List.of("d", "b"), List.copyOf(rules.roundRecipients(five, "a", List.of("d", "b", "e"), followers)));
    assertEquals(List.of("c"), List.copyOf(rules.roundRecipients(three, "a", List.of("c", "b"), List.of("b", "c"))));
    assertEquals(Set.copyOf(followers), rules.roundRecipients(five, "a", List.of("d"), followers),
        "too few heard from: every follower");
    assertEquals(Set.copyOf(followers), rules.roundRecipients(five, "a", List.of(), followers),
        "a new leader's first round: every follower");
    assertEquals(List.of("b", "e"), List.copyOf(rules.roundRecipients(five, "a", List.of("x", "b", "e", "c"),
        followers)), "an acknowledger that is no longer a follower is skipped");
  }

  @Test
  void learnersDoNotCountTowardsTheRoundsMajorityAndAJointConfigurationNeedsBothHalves() {
    Quorum abc = new Quorum(Set.of("a", "b", "c"));
    assertEquals(List.of("b"), List.copyOf(rules.roundRecipients(abc, "a", List.of("l", "b"), List.of("b", "c", "l"))),
        "learner l acknowledged most recently but is no voter");
    Quorum joint = new Quorum(Set.of("a", "b", "c"), Set.of("a", "d", "e"));
    assertEquals(List.of("b", "c", "d"), List.copyOf(rules.roundRecipients(joint, "a", List.of("b", "c", "d", "e"),
        List.of("b", "c", "d", "e"))), "taken in order until both halves have a majority: d completes the outgoing");
    assertTrue(rules.roundRecipients(new Quorum(Set.of("a")), "a", List.of(), List.of("l")).isEmpty(),
        "a single voter needs nobody");
  }
}
