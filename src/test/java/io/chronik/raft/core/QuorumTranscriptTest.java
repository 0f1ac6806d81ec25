package io.chronik.raft.core;

import io.chronik.raft.transcript.Transcripts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * etcd's quorum cases ({@code quorum/testdata}, ported to {@code src/test/resources/transcripts/quorum})
 * against {@link Quorum} and its halves ({@link Majority}).
 *
 * <p>Steps, as etcd writes them: {@code committed cfg=(1,2) cfgj=(2,3) idx=(100,_,99)} and
 * {@code vote cfg=(1,2) cfgj=(2,3) votes=(y,n,_)}. {@code cfg} is the incoming half, {@code cfgj}
 * the outgoing one ({@code zero}: empty); without {@code cfgj} the case is a plain majority. The
 * indexes or votes go to the voters of {@code cfg} then {@code cfgj}, each voter once; {@code _}
 * is "nothing known". Output: the committed index ({@code ∞} for "no limit") or the vote result;
 * like etcd's harness, each case is also computed in ways that must agree (halves swapped; a
 * majority as a one-set quorum, joint with the empty set and with itself), and a disagreement is
 * printed, which fails the case.
 */
class QuorumTranscriptTest {
  static final Path DIR = Path.of("src/test/resources/transcripts/quorum");

  @TestFactory
  Stream<DynamicTest> etcdQuorumCases() {
    return Transcripts.tests(DIR, 4, Script::new);
  }

  static final class Script implements Transcripts.Script {
    @Override
    public String step(String line) {
      Map<String, String> args = Transcripts.args(line);
      List<String> incoming = list(args.get("cfg"));
      List<String> outgoing = "zero".equals(args.get("cfgj")) ? List.of() : list(args.get("cfgj"));
      boolean joint = args.containsKey("cfgj");
      LinkedHashSet<String> voters = new LinkedHashSet<>(incoming);
      voters.addAll(outgoing);
      return switch (Transcripts.command(line)) {
        case "committed" -> {
          Map<String, Long> match = inputs(voters, list(args.get("idx")), Long::parseLong);
          yield decide(incoming, outgoing, joint, m -> format(m.committedIndex(match)),
              q -> format(q.committedIndex(match)));
        }
        case "vote" -> {
          Map<String, Boolean> votes = inputs(voters, list(args.get("votes")), "y"::equals);
          yield decide(incoming, outgoing, joint, m -> m.voteResult(votes).name(), q -> q.voteResult(votes).name());
        }
        default -> throw new IllegalArgumentException("unknown step: " + line);
      };
    }

    /** The result, then a line for each alternative computation that disagrees. */
    private static String decide(List<String> incoming, List<String> outgoing, boolean joint,
        Function<Majority, String> majority, Function<Quorum, String> quorum) {
      Set<String> in = Set.copyOf(incoming);
      Set<String> out = Set.copyOf(outgoing);
      StringBuilder disagreements = new StringBuilder();
      String result;
      if (!joint) {
        result = majority.apply(new Majority(in));
        if (!in.isEmpty()) {
          check(disagreements, result, quorum.apply(new Quorum(in)), "as a one-set quorum");
          check(disagreements, result, quorum.apply(new Quorum(in, Set.of())), "joint with the empty set");
          check(disagreements, result, quorum.apply(new Quorum(in, in)), "joint with itself");
        }
      } else {
        try {
          result = quorum.apply(new Quorum(in, out));
        } catch (IllegalArgumentException e) {
          return "refused: " + e.getMessage() + "\n";
        }
        if (!out.isEmpty()) check(disagreements, result, quorum.apply(new Quorum(out, in)), "with the halves swapped");
      }
      return result + "\n" + disagreements;
    }

    private static void check(StringBuilder disagreements, String expected, String actual, String how) {
      if (!actual.equals(expected)) disagreements.append(actual).append(" <-- ").append(how).append('\n');
    }

    /** The given inputs for the voters in order; "_" gives none. */
    private static <T> Map<String, T> inputs(Set<String> voters, List<String> given, Function<String, T> parse) {
      if (given.size() != voters.size()) {
        throw new IllegalArgumentException("inputs " + given + " do not match voters " + voters);
      }
      Map<String, T> inputs = new HashMap<>();
      int i = 0;
      for (String voter : voters) {
        String value = given.get(i++);
        if (!value.equals("_")) inputs.put(voter, parse.apply(value));
      }
      return inputs;
    }

    private static List<String> list(String parenthesized) {
      List<String> items = new ArrayList<>();
      if (parenthesized == null) return items;
      for (String s : parenthesized.replaceAll("[()]", "").split(",")) if (!s.isBlank()) items.add(s.trim());
      return items;
    }

    private static String format(long index) {
      return index == Long.MAX_VALUE ? "∞" : Long.toString(index);
    }
  }
}
