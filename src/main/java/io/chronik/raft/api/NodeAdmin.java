package io.chronik.raft.api;

import io.chronik.raft.api.ChronikException.Kind;
import io.chronik.raft.cluster.ReplicaMover;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The cluster administration operations of one node (node list, add, remove, leader transfer) on
 * top of {@link ReplicaMover}, which blocks and polls: they run on threads of their own, never on
 * the gRPC server's. One membership operation at a time per node: two moving replicas of the same
 * partitions at once would each wait on the other's changes (a partition takes one change at a
 * time), so a second one is refused at once, naming the first.
 */
final class NodeAdmin {
  /** What node add or remove did: each move made, and the node afterwards. */
  record Done(String node, List<String> moves, Optional<ReplicaMover.NodeInfo> after) {}

  /** A leader transfer: the member that leads now, and what was done. */
  record Transferred(String group, String leader, List<String> steps) {}

  /** The operation running on this node, and whether an operator asked it to stop. */
  record Running(String what, long sinceNanos, AtomicBoolean cancelled) {
    double seconds() {
      return (System.nanoTime() - sinceNanos) / 1e9;
    }
  }

  private final ChronikRaft chronik;
  private final AtomicReference<Running> running = new AtomicReference<>();
  /** One thread: the membership operations, one at a time. */
  private final ExecutorService operations = Executors.newSingleThreadExecutor(daemon("chronik-membership"));
  /** Node lists: each blocks for at most chronik.client.status-timeout. */
  private final ExecutorService reads = Executors.newFixedThreadPool(2, daemon("chronik-node-list"));

  NodeAdmin(ChronikRaft chronik) {
    this.chronik = chronik;
  }

  void shutdown() {
    operations.shutdownNow();
    reads.shutdownNow();
  }

  /**
   * Asks the operation running on this node to stop at its next safe point (between moves, or while
   * a move's learner catches up); returns it. FAILED_PRECONDITION when none runs here.
   */
  Running cancel() {
    Running r = running.get();
    if (r == null) {
      throw new ChronikException(Kind.FAILED_PRECONDITION, "no membership operation is running on node "
          + chronik.node().nodeId() + "; cancel it on the node that runs it (--target naming that node)");
    }
    r.cancelled().set(true);
    return r;
  }

  /** Whether a membership operation runs on this node now. */
  boolean busy() {
    return running.get() != null;
  }

  CompletableFuture<List<ReplicaMover.NodeInfo>> nodes() {
    return CompletableFuture.supplyAsync(() -> chronik.mover().nodes(), reads);
  }

  /** Gives {@code node} its share of replicas (and replaces its lost members), telling {@code progress} each step. */
  CompletableFuture<Done> add(String node, Consumer<String> progress) {
    return exclusive("node add " + node, () -> {
      requireKnown(node);
      ReplicaMover mover = chronik.mover();
      List<ReplicaMover.Move> plan = mover.planAdd(node);
      return carryOut(mover, node, plan, progress, node + " holds its share already: nothing to move");
    });
  }

  /**
   * Moves every replica off {@code node}. Refused when it is not answering unless {@code force}:
   * a node that is only slow or cut off for a moment should not lose its replicas by mistake.
   */
  CompletableFuture<Done> remove(String node, boolean force, Consumer<String> progress) {
    return exclusive("node remove " + node + (force ? " --force" : ""), () -> {
      ReplicaMover mover = chronik.mover();
      ReplicaMover.NodeInfo info = mover.nodes().stream().filter(n -> n.nodeId().equals(node)).findFirst()
          .orElseThrow(() -> unknown(node));
      if (!info.answering() && !force) {
        throw new ChronikException(Kind.FAILED_PRECONDITION, "node " + node + " is not answering; if it is gone for "
            + "good, use --force (its replicas are then replaced by new ones on other nodes)");
      }
      if (!info.answering()) progress.accept(node + " is not answering: replacing its replicas (forced)");
      List<ReplicaMover.Move> plan = mover.planRemove(node);
      return carryOut(mover, node, plan, progress, node + " holds no replica: nothing to move");
    });
  }

  /** Hands {@code group}'s leadership to its voter on {@code node}. */
  CompletableFuture<Transferred> transferLeader(String group, String node) {
    return exclusive("leader transfer " + group + " to " + node, () -> {
      requireKnown(node);
      List<String> steps = new ArrayList<>();
      String leader = chronik.mover().transferLeader(group, node, steps::add);
      return new Transferred(group, leader, steps);
    });
  }

  private Done carryOut(ReplicaMover mover, String node, List<ReplicaMover.Move> plan, Consumer<String> progress,
      String nothingToDo) {
    progress.accept(plan.isEmpty() ? nothingToDo : plan.size() + " move(s) planned: " + plan);
    List<String> made = new ArrayList<>();
    AtomicBoolean cancelled = running.get().cancelled();
    for (ReplicaMover.Move m : plan) {
      try {
        if (!cancelled.get()) progress.accept(m + ": starting");
        mover.move(m, progress, cancelled::get);
      } catch (ReplicaMover.MoveCancelled e) {
        throw new ReplicaMover.MoveCancelled(running.get().what() + " cancelled after " + made.size() + " of "
            + plan.size() + " move(s)" + (made.isEmpty() ? "" : " (made: " + made + ")") + ": " + e.getMessage()
            + "; run it again to carry out the rest");
      }
      made.add(m.toString());
    }
    Optional<ReplicaMover.NodeInfo> after = mover.nodes().stream().filter(n -> n.nodeId().equals(node)).findFirst();
    return new Done(node, made, after);
  }

  /**
   * Runs {@code body} on the operations thread unless another operation is running, in which case
   * the returned stage fails at once with FAILED_PRECONDITION.
   */
  private <T> CompletableFuture<T> exclusive(String what, Supplier<T> body) {
    Running mine = new Running(what, System.nanoTime(), new AtomicBoolean());
    Running other = running.compareAndExchange(null, mine);
    if (other != null) {
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - other.sinceNanos());
      return CompletableFuture.failedFuture(new ChronikException(Kind.FAILED_PRECONDITION, "another membership "
          + "operation is running on this node: " + other.what() + " (for " + seconds + " s); wait until it ends"));
    }
    try {
      return CompletableFuture.supplyAsync(body, operations).whenComplete((v, e) -> running.set(null));
    } catch (RuntimeException e) { // the executor was shut down: the node is stopping
      running.set(null);
      return CompletableFuture.failedFuture(new ChronikException(Kind.UNAVAILABLE, "node "
          + chronik.node().nodeId() + " is stopping"));
    }
  }

  private void requireKnown(String node) {
    if (!chronik.node().knownNodes().contains(node)) throw unknown(node);
  }

  private ChronikException unknown(String node) {
    return new ChronikException(Kind.NOT_FOUND, "node " + node + " is not known to node " + chronik.node().nodeId()
        + " (known: " + chronik.node().knownNodes() + "); start it with `chronik server` and `--seeds` naming a "
        + "running node, then check that `chronik node list` shows it");
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
