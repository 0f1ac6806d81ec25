package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.ChangeRequest;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.core.ElectionRules;
import io.chronik.raft.core.LeadershipRules;
import io.chronik.raft.core.MembershipRules;
import io.chronik.raft.core.Progress;
import io.chronik.raft.core.Quorum;
import io.chronik.raft.core.RaftLog;
import io.chronik.raft.core.RaftRules;
import io.chronik.raft.core.ReadRules;
import io.chronik.raft.core.ReplicationRules;
import io.chronik.raft.transcript.Transcripts;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Each public rule of {@link MembershipRules}, and each way a joint configuration or a learner
 * could be miscounted, broken in a plausible way and injected as a value: the named membership
 * transcript runs as written with the standard rules and does not with the mutant.
 *
 * <p>Where the configuration is counted is not one rule but every majority the replica takes: the
 * "ignores the outgoing half" and "counts learners" mutants go in through the rule that takes each
 * majority ({@link ReplicationRules#commitIndex}, {@link ElectionRules#tally},
 * {@link ReadRules#requesterAcknowledges}, {@link LeadershipRules#checkQuorum}), given a narrower
 * or wider {@link Quorum} than the configuration's.
 */
class MembershipRuleMutantsTest {

  /** A broken rule set and the transcript that must catch it. */
  record Mutant(String name, RaftRules rules, String transcript) {}

  static Stream<Mutant> mutants() {
    return Stream.of(
        // ---- MembershipRules, one or more per public method
        membership("current: the configuration files' voters, whatever the log says (the config-file edit)",
            "12-removed-replica-does-not-campaign", new MembershipRules() {
              @Override
              public Optional<Configuration> current(RaftLog log, Optional<Configuration> legacy) {
                return legacy.or(log::config);
              }
            }),
        membership("current: one change late (the configuration before the log's latest)",
            "07-truncated-config-reverts", new MembershipRules() {
              @Override
              public Optional<Configuration> current(RaftLog log, Optional<Configuration> legacy) {
                long latest = log.configIndex();
                return latest == 0 ? legacy : log.configAt(latest - 1).or(() -> legacy);
              }
            }),
        membership("propose: two changes in flight (the latest configuration taken as committed)",
            "09-one-change-at-a-time", new MembershipRules() {
              @Override
              public Decision propose(LeaderState leader, ChangeRequest request, long maxLag) {
                return super.propose(new LeaderState(leader.self(), leader.config(),
                    Math.min(leader.configIndex(), leader.commitIndex()), leader.commitIndex(),
                    leader.committedInTerm(), leader.followers()), request, maxLag);
              }
            }),
        membership("propose: a change before the leader's first commit of its term", "08-no-change-before-first-commit",
            new MembershipRules() {
              @Override
              public Decision propose(LeaderState leader, ChangeRequest request, long maxLag) {
                return super.propose(new LeaderState(leader.self(), leader.config(), leader.configIndex(),
                    leader.commitIndex(), true, leader.followers()), request, maxLag);
              }
            }),
        membership("leaveJointDue: never (the joint configuration stays)", "06-auto-leave-after-joint-commits",
            new MembershipRules() {
              @Override
              public boolean leaveJointDue(Configuration cur, long configIndex, long commitIndex, String self,
                  boolean transferring) {
                return false;
              }
            }),
        membership("leaveJointDue: also by an outgoing-only leader", "11-outgoing-only-leader-transfers",
            new MembershipRules() {
              @Override
              public boolean leaveJointDue(Configuration cur, long configIndex, long commitIndex, String self,
                  boolean transferring) {
                return cur.joint() && cur.autoLeave() && configIndex <= commitIndex && !transferring;
              }
            }),
        membership("promotable: every member, learners too", "13-learner-does-not-campaign", new MembershipRules() {
          @Override
          public boolean promotable(Configuration cur, String self) {
            return cur.isMember(self);
          }
        }),
        membership("caughtUp: answering is enough, however far behind", "20-promote-refused-while-learner-behind",
            new MembershipRules() {
              @Override
              public boolean caughtUp(Progress learner, long commitIndex, long maxLag) {
                return !learner.probing() && !learner.snapshotting();
              }
            }),
        membership("handOverBeforeRemoval: the first other incoming voter, caught up or not",
            "10-remove-leader-hands-over-first", new MembershipRules() {
              @Override
              public Optional<String> handOverBeforeRemoval(Configuration cur, String self,
                  Map<String, Progress> followers, long commitIndex, long maxLag) {
                return cur.voters().stream().filter(id -> !id.equals(self)).findFirst();
              }
            }),
        membership("stepDownOnRemoval: also a leader of the outgoing half only", "11-outgoing-only-leader-transfers",
            new MembershipRules() {
              @Override
              public boolean stepDownOnRemoval(Configuration committed, String self) {
                return !committed.voters().contains(self);
              }
            }),
        membership("recordFilesConfiguration: whatever is offered", "22-record-files-configuration",
            new MembershipRules() {
              @Override
              public boolean recordFilesConfiguration(RaftLog log, Optional<Configuration> files, Configuration offered,
                  boolean committedInTerm) {
                return log.config().isEmpty() && committedInTerm;
              }
            }),
        membership("recordFilesConfiguration: before the leader's first commit of its term",
            "22-record-files-configuration", new MembershipRules() {
              @Override
              public boolean recordFilesConfiguration(RaftLog log, Optional<Configuration> files, Configuration offered,
                  boolean committedInTerm) {
                return super.recordFilesConfiguration(log, files, offered, true);
              }
            }),
        // ---- every majority: the outgoing half ignored, learners counted
        new Mutant("commitIndex ignores the outgoing half", RaftRules.STANDARD.withReplication(new ReplicationRules() {
          @Override
          public long commitIndex(RaftLog log, Quorum quorum, Map<String, Long> match, long term, long commitIndex) {
            return super.commitIndex(log, new Quorum(quorum.incoming()), match, term, commitIndex);
          }
        }), "04-joint-commit-needs-both-halves"),
        new Mutant("commitIndex counts learners", RaftRules.STANDARD.withReplication(new ReplicationRules() {
          @Override
          public long commitIndex(RaftLog log, Quorum quorum, Map<String, Long> match, long term, long commitIndex) {
            return super.commitIndex(log, new Quorum(match.keySet()), match, term, commitIndex);
          }
        }), "01-add-learner-not-counted"),
        new Mutant("tally ignores the outgoing half", RaftRules.STANDARD.withElection(new ElectionRules() {
          @Override
          public CampaignOutcome tally(Quorum quorum, Map<String, Boolean> votes, boolean preVote) {
            return super.tally(new Quorum(quorum.incoming()), votes, preVote);
          }
        }), "05-joint-vote-needs-both-halves"),
        new Mutant("requesterAcknowledges ignores the outgoing half", RaftRules.STANDARD.withReads(new ReadRules() {
          @Override
          public boolean requesterAcknowledges(Quorum quorum, String self, String requester) {
            return super.requesterAcknowledges(new Quorum(quorum.incoming()), self, requester);
          }
        }), "16-three-node-shortcut-joint"),
        new Mutant("requesterAcknowledges counts a learner's request as a voter's", RaftRules.STANDARD.withReads(
            new ReadRules() {
              @Override
              public boolean requesterAcknowledges(Quorum quorum, String self, String requester) {
                Set<String> pair = Set.of(self, requester);
                return !requester.equals(self) && pair.size() > quorum.incoming().size() / 2;
              }
            }), "03-learner-safe-read-by-round"),
        new Mutant("checkQuorum ignores the outgoing half", RaftRules.STANDARD.withLeadership(new LeadershipRules() {
          @Override
          public QuorumCheck checkQuorum(String self, Map<String, Progress> followers, Quorum quorum, boolean enabled) {
            return super.checkQuorum(self, followers, new Quorum(quorum.incoming()), enabled);
          }
        }), "17-check-quorum-joint-steps-down"));
  }

  private static Mutant membership(String name, String transcript, MembershipRules rules) {
    return new Mutant(name, RaftRules.STANDARD.withMembership(rules), transcript);
  }

  @TestFactory
  Stream<DynamicTest> everyMutantIsCaughtByItsTranscript() {
    return mutants().map(m -> DynamicTest.dynamicTest(m.name(), () -> {
      Path file = MembershipTranscriptTest.DIR.resolve(m.transcript() + ".txt");
      assertTrue(Transcripts.matches(file, new MembershipTranscriptTest.Script()), file + " runs with STANDARD");
      assertFalse(Transcripts.matches(file, new MembershipTranscriptTest.Script(
          OneReplica.settings().withRules(m.rules()))), "mutant '" + m.name() + "' not caught by " + file);
    }));
  }

  /** Every public method of {@link MembershipRules} has a mutant here. */
  @Test
  void everyPublicRuleHasAMutant() {
    Set<String> overridden = new HashSet<>();
    mutants().map(m -> m.rules().membership()).filter(r -> r.getClass().isAnonymousClass())
        .forEach(r -> {
          for (Method method : r.getClass().getDeclaredMethods()) overridden.add(method.getName());
        });
    for (Method method : MembershipRules.class.getDeclaredMethods()) {
      if (Modifier.isPublic(method.getModifiers())) {
        assertTrue(overridden.contains(method.getName()), "no mutant of MembershipRules." + method.getName());
      }
    }
  }
}
