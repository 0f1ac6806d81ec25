package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PendingReadsTest {
  @Test
  void aReadIsReadyOnlyOnceAppliedReachesItsIndexOldestIndexFirst() {
    PendingReads<String> p = new PendingReads<>();
    p.add(7, "a");
    p.add(5, "b");
    p.add(7, "c");
    p.add(9, "d");
    assertTrue(p.ready(4).isEmpty());
    assertEquals(List.of("b"), p.ready(5));
    assertEquals(List.of("a", "c"), p.ready(8), "index 7, in arrival order");
    assertEquals(1, p.size());
    assertTrue(p.ready(8).isEmpty(), "each read is handed out once");
    assertEquals(List.of("d"), p.ready(100));
    assertEquals(0, p.size());
  }
}
