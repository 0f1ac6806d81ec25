package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.ForwardingRules.AtLeader;
import io.chronik.raft.core.ForwardingRules.Recovered;
import io.chronik.raft.core.ForwardingRules.Refusal;
import org.junit.jupiter.api.Test;

/** {@link ForwardingRules}, value in, value out. */
class ForwardingRulesTest {
  private final ForwardingRules rules = new ForwardingRules();
  private final RecentIds appended = new RecentIds(2);
  /** Recovered in term 2 without having voted for itself. */
  private static final Recovered FOLLOWER_OF_2 = new Recovered(2, false);

  @Test
  void aForwardedWriteIsAppendedOncePerFollowerAndId() {
    assertEquals(AtLeader.APPEND, rules.atLeader(appended, "b", 7));
    appended.firstTime("b", 7);
    assertEquals(AtLeader.DROP_DUPLICATE, rules.atLeader(appended, "b", 7));
    assertEquals(AtLeader.APPEND, rules.atLeader(appended, "c", 7), "ids are per follower");
    assertEquals(AtLeader.APPEND, rules.atLeader(appended, "b", 8));
  }

  @Test
  void aWriteThisIncarnationAppendedMayCommitSoItsRefusalIsOutcomeUnknown() {
    appended.firstTime("b", 7);
    assertTrue(rules.mayHaveAppended(appended, "b", 7, 3, FOLLOWER_OF_2));
    assertEquals(Refusal.OUTCOME_UNKNOWN, rules.refuse(appended, "b", 7, 3, FOLLOWER_OF_2));
  }

  @Test
  void aWriteNeverSeenInATermThisIncarnationLivedThroughIsRefusedAsNotLeader() {
    appended.firstTime("b", 7);
    assertFalse(rules.mayHaveAppended(appended, "b", 8, 3, FOLLOWER_OF_2));
    assertFalse(rules.mayHaveAppended(appended, "b", 8, 2, FOLLOWER_OF_2), "it had not voted for itself in 2");
    assertEquals(Refusal.NOT_LEADER, rules.refuse(appended, "b", 8, 3, FOLLOWER_OF_2));
  }

  @Test
  void aTermBeforeRecoveryMayHaveBeenLedByTheEarlierIncarnation() {
    assertTrue(rules.mayHaveAppended(appended, "b", 8, 1, FOLLOWER_OF_2));
    assertTrue(rules.mayHaveAppended(appended, "b", 8, 2, new Recovered(2, true)), "it had voted for itself in 2");
    assertEquals(Refusal.OUTCOME_UNKNOWN, rules.refuse(appended, "b", 8, 1, FOLLOWER_OF_2));
  }

  @Test
  void onceIdsFromAFollowerWereForgottenNotSeenProvesNothing() {
    appended.firstTime("b", 1);
    appended.firstTime("b", 2);
    appended.firstTime("b", 3); // the window of 2 drops 1
    assertTrue(rules.mayHaveAppended(appended, "b", 9, 3, FOLLOWER_OF_2));
    assertFalse(rules.mayHaveAppended(appended, "c", 9, 3, FOLLOWER_OF_2), "another follower's ids are all known");
  }

  @Test
  void aFollowerTakesAnAnswerOnlyFromTheLeaderItSentTheWriteTo() {
    assertTrue(rules.answerCounts("a", "a"));
    assertFalse(rules.answerCounts("a", "c"));
  }

  @Test
  void aWriteWhoseLeaderChangedWaitsOneHeartbeatIntervalForItsAnswer() {
    assertEquals(java.time.Duration.ofMillis(50), rules.orphanGrace(java.time.Duration.ofMillis(50)));
  }
}
