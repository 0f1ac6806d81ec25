package io.chronik.raft.core;

import io.chronik.raft.core.ChangeRequest.AddLearner;
import io.chronik.raft.core.ChangeRequest.LeaveJoint;
import io.chronik.raft.core.ChangeRequest.Promote;
import io.chronik.raft.core.ChangeRequest.Remove;
import io.chronik.raft.core.ChangeRequest.Replace;
import io.chronik.raft.core.MembershipRules.Accept;
import io.chronik.raft.core.MembershipRules.AlreadyDone;
import io.chronik.raft.core.MembershipRules.Decision;
import io.chronik.raft.core.MembershipRules.LeaderState;
import io.chronik.raft.core.MembershipRules.Refuse;
import io.chronik.raft.transcript.Transcripts;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link MembershipRules} and {@link Configuration} step by step, as a leader would use them: each
 * file in {@code src/test/resources/transcripts/membership-rules} is a script whose steps change
 * or ask the leader's state, each followed by {@code ----} and the answer. Several files port the
 * cases of etcd's {@code confchange/testdata} to this API (say which in their comments).
 *
 * <p>Steps: {@code config voters=1,2,3 [outgoing=…] [learners=…] [autoleave] [next=N] [stores=4/5:s4,…]
 * [self=1]} (a committed configuration at entry 1; every other member a follower caught up to the
 * commit index and heard from) or the error that makes it invalid; {@code leader [self=1]
 * [committed-in-term=false]}; {@code propose add-learner node=4 store=s4 | remove M | promote M |
 * replace LEARNER VOTER | leave-joint [max-lag=N]} (an accepted configuration is appended, not yet
 * committed; a new member gets a probing progress, heard from); {@code commit} (the latest
 * configuration commits, and the followers that are neither probed nor inactive acknowledge it);
 * {@code progress M match=N [probing] [snapshotting] [inactive]}; {@code leave-joint-due
 * [transferring]}; {@code promotable M}; {@code hand-over}; {@code step-down-on-removal}.
 */
class MembershipRulesTranscriptTest {
  static final Path DIR = Path.of("src/test/resources/transcripts/membership-rules");
  static final long DEFAULT_MAX_LAG = 5;

  @TestFactory
  Stream<DynamicTest> transcripts() {
    return Transcripts.tests(DIR, 5, () -> new Script(new MembershipRules()));
  }

  static final class Script implements Transcripts.Script {
    private final MembershipRules rules;
    private Configuration config;
    private String self;
    private long configIndex;
    private long commitIndex;
    private boolean committedInTerm = true;
    private final Map<String, Progress> followers = new TreeMap<>();

    Script(MembershipRules rules) {
      this.rules = rules;
    }

    @Override
    public String step(String line) {
      Map<String, String> args = Transcripts.args(line);
      List<String> words = Transcripts.words(line);
      return switch (Transcripts.command(line)) {
        case "config" -> configure(args, words);
        case "leader" -> {
          self = args.getOrDefault("self", self);
          committedInTerm = !"false".equals(args.get("committed-in-term"));
          yield "";
        }
        case "propose" -> propose(words, args);
        case "commit" -> {
          commitIndex = configIndex;
          followers.values().forEach(p -> {
            if (!p.probing() && p.active()) p.acknowledged(commitIndex);
          });
          yield "commit=" + commitIndex + "\n";
        }
        case "progress" -> {
          followers.put(words.get(0), progress(Long.parseLong(args.get("match")), words.contains("probing"),
              words.contains("snapshotting"), !words.contains("inactive")));
          yield "";
        }
        case "leave-joint-due" -> "leave-joint-due="
            + rules.leaveJointDue(config, configIndex, commitIndex, self, words.contains("transferring")) + "\n";
        case "promotable" -> "promotable=" + rules.promotable(config, words.get(0)) + "\n";
        case "hand-over" -> "hand-over="
            + rules.handOverBeforeRemoval(config, self, followers, commitIndex, DEFAULT_MAX_LAG).orElse("none") + "\n";
        case "step-down-on-removal" -> "step-down-on-removal=" + rules.stepDownOnRemoval(config, self) + "\n";
        default -> throw new IllegalArgumentException("unknown step: " + line);
      };
    }

    private String configure(Map<String, String> args, List<String> words) {
      Map<String, String> stores = new TreeMap<>();
      for (String s : ids(args.get("stores"))) stores.put(s.substring(0, s.indexOf(':')), s.substring(s.indexOf(':') + 1));
      Configuration c;
      try {
        c = new Configuration(ids(args.get("voters")), ids(args.get("outgoing")), ids(args.get("learners")),
            words.contains("autoleave"), Long.parseLong(args.getOrDefault("next", "1")), stores);
      } catch (IllegalArgumentException invalid) {
        return "invalid: " + invalid.getMessage() + "\n";
      }
      config = c;
      self = args.getOrDefault("self", c.voters().iterator().next());
      configIndex = 1;
      commitIndex = 1;
      committedInTerm = true;
      followers.clear();
      for (String id : c.replicationTargets(self)) followers.put(id, progress(commitIndex, false, false, true));
      return c + "\n";
    }

    private String propose(List<String> words, Map<String, String> args) {
      ChangeRequest request = switch (words.get(0)) {
        case "add-learner" -> new AddLearner(args.get("node"), args.get("store"));
        case "remove" -> new Remove(words.get(1));
        case "promote" -> new Promote(words.get(1));
        case "replace" -> new Replace(words.get(1), words.get(2));
        case "leave-joint" -> new LeaveJoint();
        default -> throw new IllegalArgumentException("unknown change: " + words);
      };
      long maxLag = Long.parseLong(args.getOrDefault("max-lag", Long.toString(DEFAULT_MAX_LAG)));
      Decision d = rules.propose(new LeaderState(self, config, configIndex, commitIndex, committedInTerm, followers),
          request, maxLag);
      if (d instanceof Accept accept) {
        config = accept.next();
        configIndex = Math.max(configIndex, commitIndex) + 1;
        followers.keySet().retainAll(config.replicationTargets(self));
        for (String id : config.replicationTargets(self)) followers.putIfAbsent(id, progress(0, true, false, true));
        return "accept " + config + "\n";
      }
      if (d instanceof Refuse refuse) return "refuse " + refuse.refusal() + ": " + refuse.message() + "\n";
      return "done: " + ((AlreadyDone) d).message() + "\n";
    }

    private static Progress progress(long match, boolean probing, boolean snapshotting, boolean active) {
      Progress p = new Progress(match + 1, 4);
      if (!probing) p.acknowledged(match);
      if (snapshotting) p.startSnapshot(match + 10);
      if (active) p.markActive();
      return p;
    }

    private static Set<String> ids(String list) {
      if (list == null || list.isEmpty()) return Set.of();
      return Arrays.stream(list.split(",")).collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
