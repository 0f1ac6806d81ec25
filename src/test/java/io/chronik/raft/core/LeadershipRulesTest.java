package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.LeadershipRules.Beat;
import io.chronik.raft.core.LeadershipRules.Drain;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link LeadershipRules}, value in, value out: each test a sentence of the thesis or of this implementation. */
class LeadershipRulesTest {
  private final LeadershipRules rules = new LeadershipRules();

  /** A follower's progress: heard from in this period or not, matching {@code match} (past probing if > 0). */
  private static Progress follower(boolean heardFrom, long match) {
    Progress p = new Progress(match + 1, 4);
    if (match > 0) p.acknowledged(match);
    if (heardFrom) p.markActive();
    return p;
  }

  private static Progress draining(Progress p) {
    p.draining(true);
    return p;
  }

  private static Map<String, Progress> followers(Object... idAndProgress) {
    Map<String, Progress> m = new LinkedHashMap<>();
    for (int i = 0; i < idAndProgress.length; i += 2) m.put((String) idAndProgress[i], (Progress) idAndProgress[i + 1]);
    return m;
  }

  private static final Quorum THREE = new Quorum(Set.of("a", "b", "c"));
  private static final Quorum FIVE = new Quorum(Set.of("a", "b", "c", "d", "e"));

  // ---------------------------------------------------------------- CheckQuorum

  @Test
  void aLeaderHearingFromOneFollowerOfThreeCountsItselfAndStays() {
    var check = rules.checkQuorum("a", followers("b", follower(true, 1), "c", follower(false, 1)), THREE, true);
    assertEquals(Set.of("a", "b"), check.active());
    assertFalse(check.stepDown());
  }

  @Test
  void aLeaderHearingFromOneFollowerOfFiveStepsDown() {
    var check = rules.checkQuorum("a", followers("b", follower(true, 1), "c", follower(false, 1),
        "d", follower(false, 1), "e", follower(false, 1)), FIVE, true);
    assertEquals(Set.of("a", "b"), check.active());
    assertTrue(check.stepDown());
  }

  @Test
  void onlyThisPeriodCounts() {
    Progress b = follower(true, 1);
    b.resetActive(); // heard from in the period before, not in this one
    assertTrue(b.active());
    assertTrue(rules.checkQuorum("a", followers("b", b, "c", follower(false, 1)), THREE, true).stepDown());
  }

  @Test
  void withoutCheckQuorumTheLeaderNeverStepsDownOnItsOwn() {
    var check = rules.checkQuorum("a", followers("b", follower(false, 1), "c", follower(false, 1)), THREE, false);
    assertEquals(Set.of("a"), check.active());
    assertFalse(check.stepDown());
  }

  // ---------------------------------------------------------------- heartbeat round

  @Test
  void aHeartbeatTickProbesAProbedFollowerAgainResendsASnapshotChunkAndElseBeats() {
    assertEquals(Beat.PROBE_AGAIN, rules.heartbeat(follower(true, 0)));
    assertEquals(Beat.HEARTBEAT, rules.heartbeat(follower(true, 3)));
    Progress snapshotting = follower(true, 3);
    snapshotting.startSnapshot(10);
    assertEquals(Beat.RESEND_SNAPSHOT_CHUNK, rules.heartbeat(snapshotting));
  }

  // ---------------------------------------------------------------- leadership transfer

  @Test
  void noProposalIsAcceptedWhileHandingOver() {
    assertTrue(rules.acceptsProposals(false));
    assertFalse(rules.acceptsProposals(true));
  }

  @Test
  void aTransferStartsOnlyToAFollowerThatWouldTakeOverAndOneAtATime() {
    assertTrue(rules.canTransferTo(false, follower(true, 3)));
    assertFalse(rules.canTransferTo(true, follower(true, 3)), "another transfer is under way");
    assertFalse(rules.canTransferTo(false, null), "not a follower (the leader itself, a non-voter)");
    assertFalse(rules.canTransferTo(false, draining(follower(true, 3))), "its node is stopping");
  }

  @Test
  void aTransferIsGivenUpAfterAnElectionTimeout() {
    assertEquals(Duration.ofMillis(300), rules.transferTimeout(Duration.ofMillis(300)));
  }

  @Test
  void timeoutNowGoesOnceWhenTheTargetHoldsTheWholeCommittedLog() {
    assertTrue(rules.sendTimeoutNow(false, 5, 5, 5));
    assertFalse(rules.sendTimeoutNow(true, 5, 5, 5), "only once");
    assertFalse(rules.sendTimeoutNow(false, 5, 5, 4), "the target lacks the last entry");
    assertFalse(rules.sendTimeoutNow(false, 5, 4, 5), "an accepted entry is not committed yet");
  }

  // ---------------------------------------------------------------- draining

  @Test
  void aDrainingLeaderHandsOverToTheMostUpToDateActiveFollowerThatIsNotStopping() {
    Drain d = rules.drain(false, followers("b", follower(true, 3), "c", follower(true, 5),
        "d", follower(false, 9), "e", draining(follower(true, 9))));
    assertEquals(new Drain(Optional.of("c"), true), d);
  }

  @Test
  void onATieTheFirstFollowerGetsLeadership() {
    assertEquals(Optional.of("b"), rules.drain(false, followers("b", follower(true, 3), "c", follower(true, 3)))
        .handTo());
  }

  @Test
  void whileATransferIsUnderWayDrainingStartsNoOtherAndWaits() {
    assertEquals(new Drain(Optional.empty(), true), rules.drain(true, followers("b", draining(follower(true, 3)))));
  }

  @Test
  void withNobodyToHandOverToWaitingHelpsOnlyIfSomeFollowerIsNotStopping() {
    assertEquals(new Drain(Optional.empty(), true), rules.drain(false, followers("b", follower(false, 0))));
    assertEquals(new Drain(Optional.empty(), false), rules.drain(false,
        followers("b", draining(follower(true, 3)), "c", draining(follower(false, 3)))));
  }

  // ---------------------------------------------------------------- balancing

  @Test
  void leadershipGoesToThePreferredLeaderOnceItIsActiveReplicatingAndHoldsWhatIsCommitted() {
    Optional<String> b = Optional.of("b");
    assertEquals(b, rules.balanceTo(b, false, false, followers("b", follower(true, 5)), 5));
    assertEquals(Optional.empty(), rules.balanceTo(b, false, false, followers("b", follower(true, 4)), 5),
        "lacks a committed entry");
    assertEquals(Optional.empty(), rules.balanceTo(b, false, false, followers("b", follower(false, 5)), 5),
        "not heard from");
    assertEquals(Optional.empty(), rules.balanceTo(b, false, false, followers("b", follower(true, 0)), 0),
        "still probed");
    assertEquals(Optional.empty(), rules.balanceTo(b, false, false, followers("b", draining(follower(true, 5))), 5),
        "stopping");
    assertEquals(Optional.empty(), rules.balanceTo(b, true, false, followers("b", follower(true, 5)), 5),
        "this node is stopping");
    assertEquals(Optional.empty(), rules.balanceTo(b, false, true, followers("b", follower(true, 5)), 5),
        "a transfer is under way");
    assertEquals(Optional.empty(), rules.balanceTo(Optional.empty(), false, false,
        followers("b", follower(true, 5)), 5), "no preferred leader");
    assertEquals(Optional.empty(), rules.balanceTo(Optional.of("a"), false, false,
        followers("b", follower(true, 5)), 5), "this leader is the preferred one");
  }
}
