package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void probeSendsOneAtATimeThenPipelinesAfterASuccess() {
    Progress p = new Progress(11, 3);
    assertTrue(p.probing());
    assertTrue(p.canSend());
    p.sent(12);
    assertFalse(p.canSend(), "one probe in flight");
    assertTrue(p.acknowledged(12));
    assertFalse(p.probing());
    assertEquals(13, p.next());
    p.sent(14);
    p.sent(16);
    p.sent(18);
    assertFalse(p.canSend(), "window of 3 full");
    assertEquals(19, p.next(), "next advances optimistically");
    p.acknowledged(16);
    assertEquals(1, p.inflightCount(), "acknowledging 16 frees the appends up to 16");
    assertTrue(p.canSend());
  }

  @Test
  void staleRejectionsChangeNothing() {
    Progress p = new Progress(11, 3);
    p.sent(10);
    p.acknowledged(10);
    p.sent(15); // prev 10
    p.sent(20); // prev 15
    assertFalse(p.rejected(8, 5), "rejection below match is stale in replicate mode");
    assertEquals(21, p.next());
    assertTrue(p.rejected(15, 13), "the append after 15 was rejected: probe from the hint");
    assertTrue(p.probing());
    assertEquals(13, p.next());
    assertFalse(p.rejected(15, 11), "a duplicate of that rejection is not the answer to the new probe");
    assertEquals(13, p.next());
    assertTrue(p.rejected(12, 11), "the answer to the probe at prev 12 counts");
    assertEquals(11, p.next());
  }

  @Test
  void rejectionNeverMovesNextBelowMatch() {
    Progress p = new Progress(6, 2);
    p.sent(5);
    p.acknowledged(5);
    p.sent(9);
    assertTrue(p.rejected(9, 1));
    assertEquals(6, p.next());
  }


  @Test
  void aRejectionThatCannotMoveNextWaitsForTheNextHeartbeat() {
    Progress probe = new Progress(6, 2);
    probe.sent(5);
    assertFalse(probe.rejected(5, 6), "next stays 6: no immediate resend");
    assertTrue(probe.probing());
    assertEquals(6, probe.next());
  }
}
