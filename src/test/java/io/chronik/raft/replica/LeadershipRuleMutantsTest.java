package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.ForwardingRules;
import io.chronik.raft.core.LeadershipRules;
import io.chronik.raft.core.Progress;
import io.chronik.raft.core.Quorum;
import io.chronik.raft.core.RaftRules;
import io.chronik.raft.core.RecentIds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each public rule of {@link LeadershipRules} and {@link ForwardingRules}, broken in a plausible
 * way and injected as a value: the named leadership transcript runs as written with the standard
 * rules and does not with the mutant. A mutant no transcript notices would mean the rule is not
 * pinned down.
 */
class LeadershipRuleMutantsTest {

  /** A broken rule set and the transcript that must catch it. */
  record Mutant(String name, RaftRules rules, String transcript) {}

  static Stream<Mutant> mutants() {
    return Stream.of(
        // ---- LeadershipRules
        leadership("checkQuorum does not count the leader itself", "check-quorum-majority-stays-leader",
            new LeadershipRules() {
              @Override
              public QuorumCheck checkQuorum(String self, Map<String, Progress> followers, Quorum quorum,
                  boolean enabled) {
                QuorumCheck right = super.checkQuorum(self, followers, quorum, enabled);
                Set<String> others = new java.util.HashSet<>(right.active());
                others.remove(self);
                return new QuorumCheck(others, enabled && !quorum.isMajority(others));
              }
            }),
        leadership("checkQuorum also counts followers heard from only in the period before",
            "check-quorum-majority-stays-leader", new LeadershipRules() {
              @Override
              public QuorumCheck checkQuorum(String self, Map<String, Progress> followers, Quorum quorum,
                  boolean enabled) {
                Set<String> active = new java.util.HashSet<>(Set.of(self));
                followers.forEach((id, p) -> {
                  if (p.active()) active.add(id);
                });
                return new QuorumCheck(active, enabled && !quorum.isMajority(active));
              }
            }),
        leadership("heartbeat never probes again", "heartbeat-tick-probes-again", new LeadershipRules() {
          @Override
          public Beat heartbeat(Progress follower) {
            return follower.snapshotting() ? Beat.RESEND_SNAPSHOT_CHUNK : Beat.HEARTBEAT;
          }
        }),
        leadership("acceptsProposals also during a transfer", "transfer-to-up-to-date-target", new LeadershipRules() {
          @Override
          public boolean acceptsProposals(boolean transferring) {
            return true;
          }
        }),
        leadership("canTransferTo a draining follower", "transfer-refused", new LeadershipRules() {
          @Override
          public boolean canTransferTo(boolean transferring, Progress target) {
            return !transferring && target != null;
          }
        }),
        leadership("canTransferTo while another transfer is under way", "transfer-to-up-to-date-target",
            new LeadershipRules() {
              @Override
              public boolean canTransferTo(boolean transferring, Progress target) {
                return target != null && !target.draining();
              }
            }),
        leadership("transferTimeout of ten election timeouts", "transfer-times-out", new LeadershipRules() {
          @Override
          public Duration transferTimeout(Duration electionTimeout) {
            return electionTimeout.multipliedBy(10);
          }
        }),
        leadership("sendTimeoutNow before the target holds the whole log", "transfer-to-lagging-target",
            new LeadershipRules() {
              @Override
              public boolean sendTimeoutNow(boolean alreadySent, long lastIndex, long commitIndex, long targetMatch) {
                return !alreadySent && commitIndex >= lastIndex;
              }
            }),
        leadership("sendTimeoutNow again when another follower catches up", "transfer-to-up-to-date-target", new LeadershipRules() {
          @Override
          public boolean sendTimeoutNow(boolean alreadySent, long lastIndex, long commitIndex, long targetMatch) {
            return commitIndex >= lastIndex && targetMatch >= lastIndex;
          }
        }),
        leadership("sendTimeoutNow before everything accepted is committed", "transfer-waits-for-commit",
            new LeadershipRules() {
              @Override
              public boolean sendTimeoutNow(boolean alreadySent, long lastIndex, long commitIndex, long targetMatch) {
                return !alreadySent && targetMatch >= lastIndex;
              }
            }),
        leadership("drain hands over to the first follower, not the most up to date",
            "drain-hands-over-to-most-up-to-date", new LeadershipRules() {
              @Override
              public Drain drain(boolean transferring, Map<String, Progress> followers) {
                Drain right = super.drain(transferring, followers);
                Optional<String> first = transferring ? Optional.empty() : followers.entrySet().stream()
                    .filter(e -> e.getValue().active() && !e.getValue().draining()).map(Map.Entry::getKey).findFirst();
                return new Drain(first, right.keepWaiting());
              }
            }),
        leadership("drain gives up while a follower may still answer", "drain-waits-for-first-answer",
            new LeadershipRules() {
              @Override
              public Drain drain(boolean transferring, Map<String, Progress> followers) {
                Drain right = super.drain(transferring, followers);
                return new Drain(right.handTo(), transferring || right.handTo().isPresent());
              }
            }),
        leadership("balanceTo a preferred leader that lacks committed entries", "balance-to-preferred-leader",
            new LeadershipRules() {
              @Override
              public Optional<String> balanceTo(Optional<String> preferred, boolean draining, boolean transferring,
                  Map<String, Progress> followers, long commitIndex) {
                return super.balanceTo(preferred, draining, transferring, followers, 0);
              }
            }),
        // ---- ForwardingRules
        forwarding("atLeader appends every copy", "forwarded-duplicate-appended-once", new ForwardingRules() {
          @Override
          public AtLeader atLeader(RecentIds appended, String follower, long proposalId) {
            return AtLeader.APPEND;
          }
        }),
        forwarding("mayHaveAppended trusts only this incarnation's memory", "forwarded-after-restart",
            new ForwardingRules() {
              @Override
              public boolean mayHaveAppended(RecentIds appended, String follower, long proposalId, long proposalTerm,
                  Recovered recovered) {
                return appended.contains(follower, proposalId) || appended.forgotAny(follower);
              }
            }),
        forwarding("answerCounts from any replica", "forwarded-answer-only-from-its-leader", new ForwardingRules() {
          @Override
          public boolean answerCounts(String sentTo, String answeredBy) {
            return true;
          }
        }),
        forwarding("orphanGrace of a whole proposal timeout", "forwarded-orphan-grace", new ForwardingRules() {
          @Override
          public Duration orphanGrace(Duration heartbeatInterval) {
            return Duration.ofSeconds(5);
          }
        }),
        forwarding("refuse always says not leader", "forwarded-late-copy-after-step-down", new ForwardingRules() {
          @Override
          public Refusal refuse(RecentIds appended, String follower, long proposalId, long proposalTerm,
              Recovered recovered) {
            return Refusal.NOT_LEADER;
          }
        }));
  }

  private static Mutant leadership(String name, String transcript, LeadershipRules rules) {
    return new Mutant(name, RaftRules.STANDARD.withLeadership(rules), transcript);
  }

  private static Mutant forwarding(String name, String transcript, ForwardingRules rules) {
    return new Mutant(name, RaftRules.STANDARD.withForwarding(rules), transcript);
  }

  @TestFactory
  Stream<DynamicTest> everyMutantIsCaughtByItsTranscript() {
    return mutants().map(m -> DynamicTest.dynamicTest(m.name(), () -> {
      Path file = LeadershipTranscriptTest.DIR.resolve(m.transcript() + ".txt");
      assertTrue(io.chronik.raft.transcript.Transcripts.matches(file, new LeadershipTranscriptTest.Script()), file + " runs with STANDARD");
      assertFalse(io.chronik.raft.transcript.Transcripts.matches(file, new LeadershipTranscriptTest.Script(
          OneReplica.settings().withRules(m.rules()))), "mutant '" + m.name() + "' not caught by " + file);
    }));
  }

  /** Every public rule method has a mutant here. */
  @TestFactory
  Stream<DynamicTest> everyPublicRuleHasAMutant() {
    Map<Class<?>, Set<String>> overridden = new LinkedHashMap<>();
    mutants().forEach(m -> {
      for (Object rules : new Object[] {m.rules().leadership(), m.rules().forwarding()}) {
        if (rules.getClass().isAnonymousClass()) {
          for (java.lang.reflect.Method method : rules.getClass().getDeclaredMethods()) {
            overridden.computeIfAbsent(rules.getClass().getSuperclass(), k -> new java.util.HashSet<>())
                .add(method.getName());
          }
        }
      }
    });
    return Stream.of(LeadershipRules.class, ForwardingRules.class).map(c -> DynamicTest.dynamicTest(c.getSimpleName(),
        () -> {
          for (java.lang.reflect.Method method : c.getDeclaredMethods()) {
            if (java.lang.reflect.Modifier.isPublic(method.getModifiers())) {
              assertTrue(overridden.getOrDefault(c, Set.of()).contains(method.getName()),
                  "no mutant of " + c.getSimpleName() + "." + method.getName());
            }
          }
        }));
  }
}
