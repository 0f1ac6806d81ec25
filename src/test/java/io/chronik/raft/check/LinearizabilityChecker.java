package io.chronik.raft.check;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that a history of one object (one key, one partition) is linearizable: Wing &amp; Gong's
 * search with Lowe's just-in-time linearization — an operation is linearized only when no pending
 * return forces a decision — and memoization of (set of linearized operations, model state), the
 * same algorithm as Porcupine and Knossos's "linear" checker.
 *
 * <p>Operations without an answer have their return at infinity: they may be linearized anywhere
 * after their call, including after everything else (equivalent to never having happened).
 * The search is bounded: past {@code maxSteps} it answers {@link Verdict#UNKNOWN}, never hangs.
 */
public final class LinearizabilityChecker {
  public enum Verdict { LINEARIZABLE, VIOLATION, UNKNOWN }

  private static final class Node<O> {
    final HistoryOp<O> op;
    final boolean call;
    final long time;
    Node<O> match;
    Node<O> prev;
    Node<O> next;

    Node(HistoryOp<O> op, boolean call, long time) {
      this.op = op;
      this.call = call;
      this.time = time;
    }
  }

  private record Memo(BitSet linearized, Object state) {}

  private record Frame<O, S>(Node<O> call, S stateBefore) {}

  private LinearizabilityChecker() {}

  public static <S, O> Verdict check(Model<S, O> model, List<HistoryOp<O>> history, long maxSteps) {
    if (history.isEmpty()) return Verdict.LINEARIZABLE;
    Node<O> head = buildList(history);
    BitSet linearized = new BitSet();
    Set<Memo> seen = new HashSet<>();
    Deque<Frame<O, S>> stack = new ArrayDeque<>();
    S state = model.initial();
    Node<O> entry = head.next;
    long steps = 0;
    while (head.next != null) {
      if (++steps > maxSteps) return Verdict.UNKNOWN;
      if (entry.call) {
        S next = model.step(state, entry.op.op());
        if (next != null) {
          BitSet candidate = (BitSet) linearized.clone();
          candidate.set(entry.op.id());
          if (seen.add(new Memo(candidate, next))) {
            stack.push(new Frame<>(entry, state));
            state = next;
            linearized.set(entry.op.id());
            lift(entry);
            entry = head.next;
            continue;
          }
        }
        entry = entry.next;
      } else {
        // A return reached before its call was linearized: undo the last choice.
        if (stack.isEmpty()) return Verdict.VIOLATION;
        Frame<O, S> top = stack.pop();
        state = top.stateBefore();
        linearized.clear(top.call().op.id());
        unlift(top.call());
        entry = top.call().next;
      }
    }
    return Verdict.LINEARIZABLE;
  }

  private static <O> Node<O> buildList(List<HistoryOp<O>> history) {
    List<Node<O>> nodes = new ArrayList<>();
    for (HistoryOp<O> h : history) {
      Node<O> call = new Node<>(h, true, h.call());
      Node<O> ret = new Node<>(h, false, h.ret());
      call.match = ret;
      nodes.add(call);
      nodes.add(ret);
    }
    // At equal times calls come first: such operations are treated as concurrent (the permissive choice).
    nodes.sort(Comparator.<Node<O>>comparingLong(n -> n.time).thenComparing(n -> n.call ? 0 : 1));
    Node<O> head = new Node<>(null, false, Long.MIN_VALUE);
    Node<O> last = head;
    for (Node<O> n : nodes) {
      last.next = n;
      n.prev = last;
      last = n;
    }
    return head;
  }

  private static <O> void lift(Node<O> call) {
    call.prev.next = call.next;
    call.next.prev = call.prev;
    Node<O> ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) ret.next.prev = ret.prev;
  }

  private static <O> void unlift(Node<O> call) {
    Node<O> ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) ret.next.prev = ret;
    call.prev.next = call;
    call.next.prev = call;
  }
}
