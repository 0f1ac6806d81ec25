package io.chronik.raft.core;

import static io.chronik.raft.core.RaftLogConfigTest.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The {@link MembershipRules} that are not steps of a change; the changes themselves are in the
 * membership-rules transcripts ({@link MembershipRulesTranscriptTest}).
 */
class MembershipRulesTest {
  private final MembershipRules rules = new MembershipRules();
  private static final Configuration FILES = Configuration.legacy(Set.of("a", "b", "c"));

  @Test
  void theLogsConfigurationWinsOverTheConfigurationFiles() {
    Configuration logged = Configuration.legacy(Set.of("a", "b", "d"));
    assertEquals(Optional.of(logged), rules.current(new RaftLog(entries(3, 2, logged)), Optional.of(FILES)));
    assertEquals(Optional.of(FILES), rules.current(new RaftLog(entries(3)), Optional.of(FILES)),
        "only a log without one uses the files'");
    assertEquals(Optional.empty(), rules.current(new RaftLog(entries(3)), Optional.empty()),
        "a replica created for a leader's log knows no configuration until it receives one");
  }

  @Test
  void aLearnerIsCaughtUpWhenReplicatedWithinMaxLagOfTheCommitIndex() {
    Progress replicating = new Progress(1, 4);
    replicating.acknowledged(90);
    assertTrue(rules.caughtUp(replicating, 100, 10));
    assertFalse(rules.caughtUp(replicating, 101, 10));
    assertFalse(rules.caughtUp(new Progress(101, 4), 100, 10), "probed: where its log matches is unknown");
    replicating.startSnapshot(95);
    assertFalse(rules.caughtUp(replicating, 100, 10), "a snapshot is on its way");
  }

  @Test
  void theMembershipRulesAreInjectedLikeTheOthers() {
    MembershipRules mutant = new MembershipRules() {
      @Override
      public boolean promotable(Configuration cur, String self) {
        return true;
      }
    };
    RaftRules withMutant = RaftRules.STANDARD.withMembership(mutant);
    assertSame(mutant, withMutant.membership());
    assertSame(RaftRules.STANDARD.election(), withMutant.election());
    assertSame(RaftRules.STANDARD.forwarding(), withMutant.forwarding());
    assertSame(RaftRules.STANDARD.membership(), RaftRules.STANDARD.withForwarding(new ForwardingRules()).membership());
  }
}
