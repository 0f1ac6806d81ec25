package io.chronik.raft.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chronik.raft.check.LinearizabilityChecker.Verdict;
import io.chronik.raft.check.RegisterModel.Cas;
import io.chronik.raft.check.RegisterModel.Get;
import io.chronik.raft.check.RegisterModel.Op;
import io.chronik.raft.check.RegisterModel.Put;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker on hand-made histories, including ones it must reject. */
class LinearizabilityCheckerTest {
  private final List<HistoryOp<Op>> h = new ArrayList<>();

  private void op(long call, long ret, Op op) {
    h.add(new HistoryOp<>(h.size(), call, ret, op));
  }

  private Verdict check() {
    return LinearizabilityChecker.check(new RegisterModel(), h, 1_000_000);
  }

  @Test
  void sequentialHistoryIsLinearizable() {
    op(0, 1, new Put("a"));
    op(2, 3, new Get("a"));
    op(4, 5, new Cas("a", "b", true));
    op(6, 7, new Get("b"));
    assertEquals(Verdict.LINEARIZABLE, check());
  }

  @Test
  void aStaleReadAfterACompletedWriteIsAViolation() {
    op(0, 1, new Put("a"));
    op(2, 3, new Put("b"));
    op(4, 5, new Get("a"));
    assertEquals(Verdict.VIOLATION, check());
  }

  @Test
  void aReadConcurrentWithAWriteMaySeeEitherValue() {
    op(0, 1, new Put("a"));
    op(2, 10, new Put("b"));
    op(3, 4, new Get("b"));
    op(5, 6, new Get("b"));
    assertEquals(Verdict.LINEARIZABLE, check());
  }

  @Test
  void readsMustNotGoBackInTime() {
    op(0, 1, new Put("a"));
    op(2, 10, new Put("b"));
    op(3, 4, new Get("b"));
    op(5, 6, new Get("a")); // b was already visible: a is gone
    assertEquals(Verdict.VIOLATION, check());
  }

  @Test
  void aWriteWithNoAnswerMayHaveHappenedOrNot() {
    op(0, 1, new Put("a"));
    op(2, HistoryOp.UNKNOWN, new Put("b"));
    op(3, 4, new Get("a"));
    op(5, 6, new Get("b"));
    assertEquals(Verdict.LINEARIZABLE, check());
    h.add(new HistoryOp<>(h.size(), 7, 8, new Get("a")));
    assertEquals(Verdict.VIOLATION, check(), "once b was seen, the unknown write had happened");
  }

  @Test
  void compareAndSetOutcomesAreChecked() {
    op(0, 1, new Put("a"));
    op(2, 3, new Cas("a", "b", false)); // must have applied
    assertEquals(Verdict.VIOLATION, check());
  }

  @Test
  void theBoundYieldsUnknownInsteadOfHanging() {
    for (int i = 0; i < 12; i++) op(0, 100, new Put("v" + i));
    op(101, 102, new Get("nope"));
    assertEquals(Verdict.UNKNOWN, LinearizabilityChecker.check(new RegisterModel(), h, 50));
  }
}
