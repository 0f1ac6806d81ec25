package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.core.ReadIndexQueue.Released;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReadIndexQueueTest {
  private static ReadIndexQueue<String> five() {
    return new ReadIndexQueue<>(new Quorum(Set.of("a", "b", "c", "d", "e")), "a");
  }

  @Test
  void aReadIsReleasedByAMajorityOfAcknowledgementsOfARoundSentAfterIt() {
    ReadIndexQueue<String> q = five();
    q.register("r1", 10);
    assertTrue(q.needsRound());
    assertEquals(1, q.startRound());
    assertFalse(q.needsRound(), "one round outstanding at a time");
    assertTrue(q.acknowledge("b", 1).isEmpty(), "the leader and b: two of five");
    assertEquals(List.of(new Released<>("r1", 10L)), q.acknowledge("c", 1));
    assertEquals(1, q.rounds());
    assertEquals(1, q.releasedByRounds());
  }

  @Test
  void aReadArrivingDuringARoundWaitsForTheNextOneAndItsReadIndexIsTheOneItArrivedWith() {
    ReadIndexQueue<String> q = five();
    q.register("r1", 10);
    q.startRound();
    q.register("r2", 11); // arrived while round 1 was out
    assertEquals(List.of(new Released<>("r1", 10L)), concat(q.acknowledge("b", 1), q.acknowledge("c", 1)));
    assertEquals(1, q.waiting());
    assertTrue(q.acknowledge("d", 1).isEmpty(), "round 1 acknowledgements never release r2");
    assertTrue(q.needsRound());
    assertEquals(2, q.startRound());
    q.acknowledge("b", 2);
    assertTrue(q.acknowledge("b", 2).isEmpty(), "a duplicate counts once");
    assertTrue(q.acknowledge("e", 1).isEmpty(), "a late acknowledgement of round 1");
    assertEquals(List.of(new Released<>("r2", 11L)), q.acknowledge("e", 2));
  }

  @Test
  void anAcknowledgementOfARoundNeverSentIsAnError() {
    ReadIndexQueue<String> q = five();
    q.register("r1", 1);
    q.startRound();
    assertThrows(IllegalStateException.class, () -> q.acknowledge("b", 2));
  }

  @Test
  void aSingleVoterConfirmsOnItsOwnAndSteppingDownDrainsEverything() {
    ReadIndexQueue<String> alone = new ReadIndexQueue<>(new Quorum(Set.of("a")), "a");
    alone.register("r", 3);
    alone.startRound();
    assertEquals(List.of(new Released<>("r", 3L)), alone.releaseConfirmed());

    ReadIndexQueue<String> q = five();
    q.register("x", 1);
    q.startRound();
    q.register("y", 2);
    assertEquals(List.of("x", "y"), q.drainAll());
    assertEquals(0, q.waiting());
  }

  @Test
  void recentAcknowledgersAreTheVotersInOrderOfTheirLatestAcknowledgementMostRecentFirst() {
    ReadIndexQueue<String> q = five();
    assertEquals(List.of(), q.recentAcknowledgers());
    q.register("r1", 1);
    q.startRound();
    q.acknowledge("c", 1);
    q.acknowledge("b", 1);
    q.acknowledge("e", 1);
    q.acknowledge("c", 1);
    assertEquals(List.of("c", "e", "b"), q.recentAcknowledgers());
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    java.util.ArrayList<T> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
