package io.chronik.raft.cluster;

import io.chronik.raft.core.ChangeRequest;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.core.MembershipRules;
import io.chronik.raft.replica.ClientProtocol;
import io.chronik.raft.replica.ReplicaControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Moves partitions' replicas between nodes (issue 21): a node added gets its share of replicas, a
 * node removed hands all of its replicas to others, a node whose data was lost has its old members
 * replaced by new ones. Each move is the safe sequence thesis ch. 4 and CockroachDB's atomic
 * replication changes use: add a learner on the target, let it catch up, replace the old voter
 * with it in one joint configuration, which the leader leaves on its own. A group never has fewer
 * voters than before, and every step is decided by the group's leader ({@link
 * io.chronik.raft.core.MembershipRules#propose}), which refuses what would be unsafe.
 *
 * <p>Blocking, and meant for one operation at a time on a thread of its own (an operator's
 * command): it polls the replicas for their state. Every step names its end state, so an
 * operation that fails halfway (this node stopped, a timeout) is resumed by running it again.
 */
public final class ReplicaMover {
  /** A replica of {@code group} moves from node {@code from} (none: a replica is added) to node {@code to} (none: removed). */
  public record Move(String group, Optional<String> from, Optional<String> to) {
    @Override
    public String toString() {
      return group + ": " + from.orElse("(new)") + " -> " + to.orElse("(removed)");
    }
  }

  /** One partition as its replicas report it: its leader (a member id), configuration and whether that is committed. */
  public record GroupView(String group, Optional<String> leader, Optional<Configuration> config, long configIndex,
      boolean committed) {}

  /** One node: whether it answered, its store, and how many replicas, leaders and learners it holds. */
  public record NodeInfo(String nodeId, boolean answering, Optional<String> store, int voters, int learners,
      int leaders, int lost) {}

  /** A move could not be made; the message says why and what to do. */
  public static final class MoveFailed extends RuntimeException {
    public final MembershipRules.Refusal refusal;

    public MoveFailed(MembershipRules.Refusal refusal, String message) {
      super(message);
      this.refusal = refusal;
    }
  }

  /**
   * A move stopped by {@code chronik node cancel} at a safe point: before it began, or while its
   * learner was catching up (the learner is removed again; the voters are as before).
   */
  public static final class MoveCancelled extends RuntimeException {
    public MoveCancelled(String message) {
      super(message);
    }
  }

  private final ClusterNode node;
  private final Duration askTimeout;
  private final Duration stepTimeout;

  /**
   * @param stepTimeout how long one step (finding a leader, a learner catching up, leaving a joint
   *     configuration) may take before the move fails
   */
  public ReplicaMover(ClusterNode node, Duration askTimeout, Duration stepTimeout) {
    this.node = node;
    this.askTimeout = askTimeout;
    this.stepTimeout = stepTimeout;
  }

  // ---------------------------------------------------------------- what is where

  /** Every partition's leader and configuration, asking each replica on every node this node knows. */
  public Map<String, GroupView> views() {
    // Every group asked at once, then each one's answers gathered.
    Map<String, List<CompletableFuture<ClientProtocol.StatusReply>>> asks = new LinkedHashMap<>();
    for (String group : node.partitions().keySet()) asks.put(group, askEveryNode(group));
    Map<String, GroupView> out = new LinkedHashMap<>();
    asks.forEach((group, perNode) -> out.put(group, gather(group, perNode)));
    return out;
  }

  private List<CompletableFuture<ClientProtocol.StatusReply>> askEveryNode(String group) {
    List<CompletableFuture<ClientProtocol.StatusReply>> asks = new ArrayList<>();
    for (String n : node.knownNodes()) {
      asks.add(node.<ClientProtocol.StatusReply>ask(group, n, ClientProtocol.GetStatus::new, askTimeout)
          .toCompletableFuture());
    }
    return asks;
  }

  /** The group's view from its replicas' answers; this node learns where its members are. */
  private GroupView gather(String group, List<CompletableFuture<ClientProtocol.StatusReply>> asks) {
    List<ClientProtocol.Status> statuses = new ArrayList<>();
    for (CompletableFuture<ClientProtocol.StatusReply> f : asks) {
      ClientProtocol.StatusReply r = f.handle((v, e) -> v).join();
      if (r instanceof ClientProtocol.Status s) statuses.add(s);
    }
    GroupView v = view(group, statuses);
    v.config().ifPresent(c -> node.learnConfiguration(group, c));
    return v;
  }

  /**
   * The partition as its replicas' answers tell it: the leader with the highest term, and its
   * configuration (no leader: the latest configuration any replica reports).
   */
  public static GroupView view(String group, List<ClientProtocol.Status> statuses) {
    Optional<ClientProtocol.Status> leader = statuses.stream().filter(s -> s.role().equals("leader"))
        .max(Comparator.comparingLong(ClientProtocol.Status::term));
    Optional<ClientProtocol.Status> best = leader.isPresent() ? leader
        : statuses.stream().filter(s -> s.config().isPresent())
            .max(Comparator.comparingLong(ClientProtocol.Status::configIndex));
    return new GroupView(group, leader.map(ClientProtocol.Status::replicaId),
        best.flatMap(ClientProtocol.Status::config), best.map(ClientProtocol.Status::configIndex).orElse(0L),
        best.map(s -> s.commitIndex() >= s.configIndex()).orElse(false));
  }

  /** The nodes this node knows, what they hold, and which of them answered. */
  public List<NodeInfo> nodes() {
    Map<String, GroupView> views = views();
    Map<String, int[]> counts = new TreeMap<>();
    for (String n : node.knownNodes()) counts.put(n, new int[4]);
    for (GroupView v : views.values()) {
      if (v.config().isEmpty()) continue;
      Configuration c = v.config().get();
      for (String member : c.members()) {
        String n = Configuration.nodeOf(member);
        int[] k = counts.computeIfAbsent(n, x -> new int[4]);
        if (v.configIndex() > 0 && lost(c, member)) { // the files' configuration names no stores
          k[3]++;
        } else if (c.isLearner(member)) {
          k[1]++;
        } else {
          k[0]++;
        }
        if (v.leader().equals(Optional.of(member))) k[2]++;
      }
    }
    List<NodeInfo> out = new ArrayList<>();
    Map<String, Boolean> answering = answering();
    counts.forEach((n, k) -> out.add(new NodeInfo(n, answering.getOrDefault(n, false), node.storeOf(n), k[0], k[1],
        k[2], k[3])));
    return out;
  }

  private Map<String, Boolean> answering() {
    Map<String, CompletableFuture<ClientProtocol.StatusReply>> asks = new TreeMap<>();
    String anyGroup = node.partitions().keySet().stream().findFirst().orElse("");
    for (String n : node.knownNodes()) {
      asks.put(n, node.<ClientProtocol.StatusReply>ask(anyGroup, n, ClientProtocol.GetStatus::new, askTimeout)
          .toCompletableFuture());
    }
    Map<String, Boolean> out = new HashMap<>();
    asks.forEach((n, f) -> out.put(n, f.handle((v, e) -> v != null).join()));
    return out;
  }

  /** Whether {@code member}'s store is gone: its node now runs on another store (its data directory was replaced). */
  private boolean lost(Configuration c, String member) {
    Optional<String> now = node.storeOf(Configuration.nodeOf(member));
    return now.isPresent() && !now.get().equals(c.store(member));
  }

  // ---------------------------------------------------------------- plans

  /**
   * What {@code added} gets: first a new member for each member of it whose data was lost (it
   * rejoined on a new store), then replicas from the nodes that hold the most, until it holds its
   * share (the voters of every partition over the nodes that hold any, rounded down).
   */
  public List<Move> planAdd(String added) {
    requireStore(added);
    Map<String, GroupView> views = requireViews();
    Map<String, Integer> load = load(views);
    load.putIfAbsent(added, 0);
    List<Move> moves = new ArrayList<>();
    for (GroupView v : views.values()) {
      Configuration c = v.config().get();
      for (String voter : c.voters()) {
        if (Configuration.nodeOf(voter).equals(added) && lost(c, voter)) {
          moves.add(new Move(v.group(), Optional.of(added), Optional.of(added)));
        }
      }
    }
    int total = load.values().stream().mapToInt(Integer::intValue).sum();
    int share = total / load.size();
    for (GroupView v : views.values()) {
      if (load.get(added) >= share) break;
      Configuration c = v.config().get();
      if (c.voters().stream().anyMatch(m -> Configuration.nodeOf(m).equals(added))) continue;
      Optional<String> from = c.voters().stream().map(Configuration::nodeOf)
          .filter(n -> load.getOrDefault(n, 0) > share)
          .max(Comparator.comparingInt((String n) -> load.getOrDefault(n, 0)).thenComparing(Comparator.reverseOrder()));
      if (from.isEmpty()) continue;
      moves.add(new Move(v.group(), from, Optional.of(added)));
      load.merge(from.get(), -1, Integer::sum);
      load.merge(added, 1, Integer::sum);
    }
    return moves;
  }

  /**
   * What removing {@code removed} takes: each of its replicas moves to the answering node that
   * holds the fewest and none of that partition yet. Fails when some partition has nowhere to go
   * (it would lose a voter); {@code answering} are the nodes replicas may move to.
   */
  public List<Move> planRemove(String removed) {
    Map<String, GroupView> views = requireViews();
    Map<String, Integer> load = load(views);
    Map<String, Boolean> answering = answering();
    answering.forEach((n, up) -> {
      if (up) load.putIfAbsent(n, 0);
    });
    load.remove(removed);
    load.keySet().removeIf(n -> !answering.getOrDefault(n, false) || node.storeOf(n).isEmpty());
    List<Move> moves = new ArrayList<>();
    for (GroupView v : views.values()) {
      Configuration c = v.config().get();
      boolean holds = c.members().stream().anyMatch(m -> Configuration.nodeOf(m).equals(removed));
      if (!holds) continue;
      TreeSet<String> inGroup = new TreeSet<>();
      c.members().forEach(m -> inGroup.add(Configuration.nodeOf(m)));
      Optional<String> to = load.keySet().stream().filter(n -> !inGroup.contains(n))
          .min(Comparator.comparingInt((String n) -> load.get(n)).thenComparing(Comparator.naturalOrder()));
      if (to.isEmpty() && c.voters().stream().anyMatch(m -> Configuration.nodeOf(m).equals(removed))) {
        throw new MoveFailed(MembershipRules.Refusal.FAILED_PRECONDITION, "cannot remove " + removed + ": partition "
            + v.group() + " has voters on " + inGroup + " and no other answering node could take its replica; add a "
            + "node first (chronik node add)");
      }
      moves.add(new Move(v.group(), Optional.of(removed), to));
      to.ifPresent(n -> load.merge(n, 1, Integer::sum));
    }
    return moves;
  }

  private Map<String, GroupView> requireViews() {
    Map<String, GroupView> views = views();
    for (GroupView v : views.values()) {
      if (v.config().isEmpty() || v.configIndex() == 0) {
        throw new MoveFailed(MembershipRules.Refusal.UNAVAILABLE, "partition " + v.group() + " has "
            + (v.config().isEmpty() ? "no replica answering" : "not recorded its configuration in its log yet (every "
            + "voter's node must be running and agree on the configuration files)") + "; retry shortly");
      }
    }
    return views;
  }

  /** Voters per node (lost members not counted: their data is gone). */
  private Map<String, Integer> load(Map<String, GroupView> views) {
    Map<String, Integer> load = new TreeMap<>();
    for (GroupView v : views.values()) {
      Configuration c = v.config().get();
      for (String voter : c.voters()) {
        if (!lost(c, voter)) load.merge(Configuration.nodeOf(voter), 1, Integer::sum);
      }
    }
    return load;
  }

  private String requireStore(String nodeId) {
    return node.storeOf(nodeId).orElseThrow(() -> new MoveFailed(MembershipRules.Refusal.NOT_FOUND, "node " + nodeId
        + " has not said which store it runs on: start it (chronik server with --seeds) and wait until chronik node "
        + "list shows it"));
  }

  // ---------------------------------------------------------------- one move

  /** Carries out {@code m}, step by step, telling {@code progress} about each; returns the configuration it ends in. */
  public Configuration move(Move m, Consumer<String> progress) {
    return move(m, progress, () -> false);
  }

  /**
   * {@link #move(Move, Consumer)}, stopped when {@code cancelled} says so at a safe point: before
   * the learner is added, or while it catches up (it is removed again, and {@link MoveCancelled}
   * thrown). Once the learner is promoted (a joint configuration), the move runs to its end: the
   * leader leaves the joint configuration on its own either way.
   */
  public Configuration move(Move m, Consumer<String> progress, BooleanSupplier cancelled) {
    if (cancelled.getAsBoolean()) throw new MoveCancelled(m + ": cancelled before it began");
    GroupView v = awaitSettled(m.group(), progress);
    Configuration c = v.config().get();
    Optional<String> fromMember = m.from().flatMap(n -> c.voters().stream()
        .filter(id -> Configuration.nodeOf(id).equals(n)).findFirst()
        .or(() -> c.learners().stream().filter(id -> Configuration.nodeOf(id).equals(n)).findFirst()));
    if (m.to().isEmpty()) {
      if (fromMember.isEmpty()) return c;
      progress.accept(m.group() + ": removing " + fromMember.get());
      change(m.group(), new ChangeRequest.Remove(fromMember.get()), progress);
      Configuration removed = awaitSettled(m.group(), progress).config().get();
      retireIfGone(m.group(), fromMember, removed, progress);
      return removed;
    }
    String store = requireStore(m.to().get());
    Configuration added = change(m.group(), new ChangeRequest.AddLearner(m.to().get(), store), progress).config();
    String learner = added.members().stream()
        .filter(id -> Configuration.nodeOf(id).equals(m.to().get()) && added.store(id).equals(store)).findFirst()
        .orElseThrow();
    if (added.isVoter(learner) && (fromMember.isEmpty() || !added.isMember(fromMember.get()))) return added;
    progress.accept(m.group() + ": " + learner + " on store " + store + " is a learner; it catches up");
    boolean replacing = fromMember.isPresent() && c.isVoter(fromMember.get());
    ChangeRequest step = replacing ? new ChangeRequest.Replace(learner, fromMember.get())
        : new ChangeRequest.Promote(learner);
    if (change(m.group(), step, progress, cancelled).isEmpty()) {
      GroupView now = awaitSettled(m.group(), progress);
      if (now.config().get().isLearner(learner)) {
        progress.accept(m.group() + ": cancelled while " + learner + " caught up: removing it");
        change(m.group(), new ChangeRequest.Remove(learner), progress);
        Configuration back = awaitSettled(m.group(), progress).config().get();
        retireIfGone(m.group(), Optional.of(learner), back, progress);
        throw new MoveCancelled(m + ": cancelled while its learner caught up; the learner is removed, the voters "
            + "are as before: " + back);
      }
      progress.accept(m.group() + ": cancel asked, but " + learner + " is promoted already: the move completes");
    }
    progress.accept(m.group() + ": " + (replacing ? learner + " replaces " + fromMember.get() : learner
        + " is promoted") + " (joint configuration)");
    Configuration done = awaitSettled(m.group(), progress).config().get();
    if (fromMember.isPresent() && done.isLearner(fromMember.get())) {
      change(m.group(), new ChangeRequest.Remove(fromMember.get()), progress);
      done = awaitSettled(m.group(), progress).config().get();
    }
    retireIfGone(m.group(), fromMember, done, progress);
    progress.accept(m.group() + ": done, " + done);
    return done;
  }

  /**
   * Hands {@code group}'s leadership to its voter on node {@code target} (thesis §3.10: the leader
   * waits until that voter holds its whole log, then tells it to campaign); returns once it leads.
   */
  public String transferLeader(String group, String target, Consumer<String> progress) {
    long deadline = System.nanoTime() + stepTimeout.toNanos();
    boolean asked = false;
    while (true) {
      GroupView v = views(group);
      Optional<String> member = v.config().flatMap(c -> c.voters().stream()
          .filter(id -> Configuration.nodeOf(id).equals(target)).findFirst());
      if (v.config().isPresent() && member.isEmpty()) {
        throw new MoveFailed(MembershipRules.Refusal.FAILED_PRECONDITION, group + " has no voter on " + target
            + " (its configuration is " + v.config().get() + "); only voters lead");
      }
      if (member.isPresent() && v.leader().equals(member)) return member.get();
      if (v.leader().isPresent() && member.isPresent()) {
        node.tell(group, v.leader().get(), new ReplicaControl.TransferLeadership(member.get()));
        if (!asked) progress.accept(group + ": " + v.leader().get() + " hands leadership to " + member.get());
        asked = true;
      }
      if (System.nanoTime() > deadline) {
        throw new MoveFailed(MembershipRules.Refusal.UNAVAILABLE, group + ": " + target + " did not take over within "
            + stepTimeout + " (leader " + v.leader().orElse("none") + "); is it caught up and reachable?");
      }
      pause();
    }
  }

  /** A member the move took out stops on its node, and is never started there again. */
  private void retireIfGone(String group, Optional<String> member, Configuration now, Consumer<String> progress) {
    if (member.isEmpty() || now.isMember(member.get())) return;
    node.retire(Configuration.nodeOf(member.get()), group, member.get());
    progress.accept(group + ": " + member.get() + " retired on its node");
  }

  /** Asks the group's leader for {@code request} until it is done; retries what may succeed later. */
  private ReplicaControl.ConfigChanged change(String group, ChangeRequest request, Consumer<String> progress) {
    return change(group, request, progress, () -> false).orElseThrow();
  }

  /** {@link #change(String, ChangeRequest, Consumer)}; empty when {@code cancelled} said so before an ask. */
  private Optional<ReplicaControl.ConfigChanged> change(String group, ChangeRequest request,
      Consumer<String> progress, BooleanSupplier cancelled) {
    long deadline = System.nanoTime() + stepTimeout.toNanos();
    String lastSaid = "";
    while (true) {
      if (cancelled.getAsBoolean()) return Optional.empty();
      GroupView v = views(group);
      ReplicaControl.ChangeConfigReply reply = null;
      if (v.leader().isPresent()) {
        try {
          reply = node.<ReplicaControl.ChangeConfigReply>ask(group, v.leader().get(),
              replyTo -> new ReplicaControl.ChangeConfig(request, replyTo), askTimeout).toCompletableFuture()
              .get(askTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          reply = null; // no answer: ask again, the leader may have changed
        }
      }
      if (reply instanceof ReplicaControl.ConfigChanged done) return Optional.of(done);
      String waiting;
      if (reply instanceof ReplicaControl.ConfigChangeRefused r) {
        boolean retryable = r.refusal() == MembershipRules.Refusal.UNAVAILABLE
            || (r.refusal() == MembershipRules.Refusal.FAILED_PRECONDITION && r.leaderHint().isPresent());
        if (!retryable) throw new MoveFailed(r.refusal(), group + ": " + request + " refused: " + r.message());
        waiting = r.message();
      } else if (reply == null) {
        waiting = v.leader().isEmpty() ? "no leader yet" : "no answer from the leader " + v.leader().get();
      } else {
        waiting = "the leader changed";
      }
      if (!waiting.equals(lastSaid)) {
        progress.accept(group + ": waiting: " + waiting);
        lastSaid = waiting;
      }
      if (System.nanoTime() > deadline) {
        throw new MoveFailed(MembershipRules.Refusal.UNAVAILABLE, group + ": " + request + " did not complete within "
            + stepTimeout + " (" + waiting + "); run the command again to resume");
      }
      pause();
    }
  }

  /** Waits until the group has a leader whose configuration is committed and not joint. */
  private GroupView awaitSettled(String group, Consumer<String> progress) {
    long deadline = System.nanoTime() + stepTimeout.toNanos();
    while (true) {
      GroupView v = views(group);
      if (v.leader().isPresent() && v.committed() && v.config().isPresent() && !v.config().get().joint()) return v;
      if (System.nanoTime() > deadline) {
        throw new MoveFailed(MembershipRules.Refusal.UNAVAILABLE, group + " did not settle within " + stepTimeout
            + " (leader " + v.leader().orElse("none") + ", configuration " + v.config().map(Object::toString)
            .orElse("unknown") + (v.committed() ? "" : ", not committed yet") + "); run the command again to resume");
      }
      pause();
    }
  }

  private GroupView views(String group) {
    return gather(group, askEveryNode(group));
  }

  private static void pause() {
    try {
      Thread.sleep(200); // an operator's command polling the replicas; no replica waits on it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MoveFailed(MembershipRules.Refusal.UNAVAILABLE, "interrupted");
    }
  }
}
