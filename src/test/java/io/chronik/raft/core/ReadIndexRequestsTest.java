package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.ReadIndexRequests.Granted;
import io.chronik.raft.core.ReadIndexRequests.Ignored;
import io.chronik.raft.core.ReadIndexRequests.Refused;
import io.chronik.raft.core.ReadIndexRequests.Request;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadIndexRequestsTest {
  private static final long TERM = 5;

  @Test
  void readsGoOutAtOnceUpToThePipelineDepthThenShareTheNextRequest() {
    ReadIndexRequests<String> q = new ReadIndexRequests<>(2, 100);
    Request<String> r1 = q.add("r1", "L", TERM).orElseThrow();
    Request<String> r2 = q.add("r2", "L", TERM).orElseThrow();
    assertEquals(List.of("r1"), r1.reads());
    assertEquals(101, r2.id());
    assertTrue(q.add("r3", "L", TERM).isEmpty(), "pipeline full");
    assertTrue(q.add("r4", "L", TERM).isEmpty());
    assertEquals(2, q.waitingReads());
    assertEquals(new Granted<>(List.of("r1"), 7L), q.onAnswer(100, "L", TERM, true, 7));
    Request<String> shared = q.sendWaiting("L", TERM).orElseThrow();
    assertEquals(List.of("r3", "r4"), shared.reads());
    assertEquals(102, shared.id());
    assertEquals(2, q.outstandingRequests());
  }

  @Test
  void enqueuedReadsGoOutTogetherWhenTheCallerSendsAndFailTogetherWhenItCannot() {
    ReadIndexRequests<String> q = new ReadIndexRequests<>(1, 10);
    q.enqueue("r1");
    q.enqueue("r2");
    assertEquals(0, q.outstandingRequests(), "nothing goes out on its own");
    Request<String> both = q.sendWaiting("L", TERM).orElseThrow();
    assertEquals(List.of("r1", "r2"), both.reads());
    q.enqueue("r3");
    assertTrue(q.sendWaiting("L", TERM).isEmpty(), "the pipeline (depth 1) is full");
    assertEquals(List.of("r3"), q.drainWaiting(), "no leader to ask: the caller fails what waits");
    assertEquals(0, q.waitingReads());
    assertEquals(List.of("r1", "r2"), q.drain(), "what is out stays out until answered or drained");
  }

  @Test
  void onlyTheAnswerToAnOutstandingRequestFromItsLeaderCounts() {
    ReadIndexRequests<String> q = new ReadIndexRequests<>(4, 0);
    Request<String> r = q.add("r", "L", TERM).orElseThrow();
    assertInstanceOf(Ignored.class, q.onAnswer(r.id() + 1, "L", TERM, true, 3), "another id");
    assertInstanceOf(Ignored.class, q.onAnswer(r.id(), "M", TERM, true, 3), "another node");
    assertEquals(new Granted<>(List.of("r"), 3L), q.onAnswer(r.id(), "L", TERM, true, 3));
    assertInstanceOf(Ignored.class, q.onAnswer(r.id(), "L", TERM, true, 3), "a duplicate");
  }

  @Test
  void aRefusalOrAnAnswerInAnotherTermFailsTheReadsRetryably() {
    ReadIndexRequests<String> q = new ReadIndexRequests<>(4, 0);
    Request<String> a = q.add("a", "L", TERM).orElseThrow();
    Request<String> b = q.add("b", "L", TERM).orElseThrow();
    assertEquals(new Refused<>(List.of("a"), "L"), q.onAnswer(a.id(), "L", TERM, false, 0));
    assertEquals(new Refused<>(List.of("b"), "L"), q.onAnswer(b.id(), "L", TERM + 1, true, 9),
        "a read index of another term than the request's is no confirmation of it");
  }

  @Test
  void aRequestUnansweredForAWholeTickGoesOutAgainWithTheWaitingReadsAndItsLateAnswerIsIgnored() {
    ReadIndexRequests<String> q = new ReadIndexRequests<>(1, 0);
    Request<String> lost = q.add("a", "L", TERM).orElseThrow();
    assertTrue(q.add("b", "L", TERM).isEmpty());
    assertTrue(q.tick("L", TERM).isEmpty(), "sent in this tick interval: not lost yet");
    Request<String> again = q.tick("L", TERM).orElseThrow();
    assertEquals(List.of("a", "b"), again.reads());
    assertFalse(again.id() == lost.id());
    assertInstanceOf(Ignored.class, q.onAnswer(lost.id(), "L", TERM, true, 1));
    assertEquals(new Granted<>(List.of("a", "b"), 4L), q.onAnswer(again.id(), "L", TERM, true, 4));
    assertFalse(q.hasOutstanding());
  }

  @Test
  void aLeaderChangeDrainsEveryUnansweredRead() {
    ReadIndexRequests<String> q = new ReadIndexRequests<>(1, 0);
    Request<String> r = q.add("a", "L", TERM).orElseThrow();
    q.add("b", "L", TERM);
    assertEquals(List.of("a", "b"), q.drain());
    assertFalse(q.hasOutstanding());
    assertEquals(0, q.waitingReads());
    assertInstanceOf(Ignored.class, q.onAnswer(r.id(), "L", TERM, true, 1));
  }
}
