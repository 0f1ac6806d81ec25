package io.chronik.raft.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When the rebalancer counts a node dead: after the timeout since it was last seen alive, never while a cluster starts. */
class DeadNodeClockTest {
  private static final long S = 1_000_000_000L;
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4");

  private final DeadNodeClock clock = new DeadNodeClock(Duration.ofSeconds(3), 0);

  private Optional<String> at(long seconds, String... alive) {
    Set<String> up = Set.of(alive);
    return clock.observe(seconds * S, NODES, up::contains);
  }

  @Test
  void aNodeSeenAliveIsDeadOnlyAfterTheWholeTimeoutUnreachable() {
    assertEquals(Optional.empty(), at(0, "n1", "n2", "n3", "n4"));
    assertEquals(Optional.empty(), at(10, "n1", "n2", "n3"));
    assertEquals(Optional.empty(), at(12, "n1", "n2", "n3"));
    assertEquals(Optional.of("n4"), at(13, "n1", "n2", "n3"));
  }

  @Test
  void comingBackRestartsTheClock() {
    at(0, "n1", "n2", "n3", "n4");
    at(10, "n1", "n2", "n3");
    at(12, "n1", "n2", "n3", "n4");
    assertEquals(Optional.empty(), at(14, "n1", "n2", "n3"));
    assertEquals(Optional.of("n4"), at(17, "n1", "n2", "n3"));
  }

  @Test
  void nodesStillStartingAreNotDeadWithinTheStartUpAllowance() {
    long allowance = DeadNodeClock.START_UP_ALLOWANCE.toSeconds();
    assertEquals(Optional.empty(), at(0, "n1"));
    assertEquals(Optional.empty(), at(5, "n1", "n2"));
    assertEquals(Optional.empty(), at(allowance - 1, "n1", "n2", "n3"));
    // n4 never came: it counts from this node's start, and gets the allowance rather than the 3 s.
    assertEquals(Optional.of("n4"), at(allowance, "n1", "n2", "n3"));
    assertEquals(Duration.ofSeconds(allowance), clock.downFor("n4", allowance * S));
  }

  @Test
  void aReplacedNodeIsNotAnsweredAgainAndARefusedOneWaitsForItsRetry() {
    at(0, "n1", "n2", "n3", "n4");
    assertEquals(Optional.empty(), at(2, "n1", "n2"));
    assertEquals(Optional.of("n3"), at(5, "n1", "n2"));
    clock.replaced("n3");
    assertEquals(Optional.of("n4"), at(6, "n1", "n2"));
    clock.retryAt("n4", 20 * S);
    assertEquals(Optional.empty(), at(19, "n1", "n2"));
    assertEquals(Optional.of("n4"), at(20, "n1", "n2"));
    clock.replaced("n4");
    // n3 back and gone again: its replacement is forgotten, and its clock starts over.
    assertEquals(Optional.empty(), at(21, "n1", "n2", "n3"));
    assertEquals(Optional.empty(), at(23, "n1", "n2"));
    assertEquals(Optional.empty(), at(25, "n1", "n2"));
    assertEquals(Optional.of("n3"), at(26, "n1", "n2"));
  }
}
