package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultBackoffTest {
  @Test
  void waitsDoublePerFailureUpToTheMaximum() {
    FaultBackoff b = new FaultBackoff(Duration.ofMillis(500), Duration.ofSeconds(5));
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 7; i++) waits.add(b.failed().toMillis());
    assertEquals(List.of(500L, 1000L, 2000L, 4000L, 5000L, 5000L, 5000L), waits);
    assertEquals(7, b.failures());
  }

  @Test
  void aQuietPeriodEndsTheEpisodeAndTheNextFailureWaitsTheMinimumAgain() {
    FaultBackoff b = new FaultBackoff(Duration.ofMillis(100), Duration.ofSeconds(2));
    b.failed();
    b.failed();
    b.failed();
    assertEquals(Duration.ofSeconds(2), b.quietPeriod());
    b.healthy();
    assertEquals(0, b.failures());
    assertEquals(Duration.ofMillis(100), b.failed());
  }

  @Test
  void aDiskFullForAnHourIsLoggedAFewDozenTimesNotOncePerRetry() {
    FaultBackoff b = new FaultBackoff(Duration.ofMillis(500), Duration.ofSeconds(5));
    long waited = 0;
    int retries = 0;
    int logged = 0;
    while (waited < Duration.ofHours(1).toMillis()) {
      waited += b.failed().toMillis();
      retries++;
      if (b.worthLogging()) logged++;
    }
    assertTrue(retries > 700, "retries " + retries);
    assertTrue(logged <= retries / 10 + 1, "logged " + logged + " of " + retries);
    assertTrue(logged >= 2, "an operator still sees it is going on: " + logged);
  }

  @Test
  void onlyTheFirstFailureAndEveryTenthAreLogged() {
    FaultBackoff b = new FaultBackoff(Duration.ofMillis(1), Duration.ofMillis(8));
    List<Integer> logged = new ArrayList<>();
    for (int i = 1; i <= 25; i++) {
      b.failed();
      if (b.worthLogging()) logged.add(i);
    }
    assertEquals(List.of(1, 10, 20), logged);
    b.healthy();
    b.failed();
    assertTrue(b.worthLogging(), "a new episode's first failure is logged");
    b.failed();
    assertFalse(b.worthLogging());
  }

  @Test
  void refusesAMaximumBelowTheMinimum() {
    assertThrows(IllegalArgumentException.class, () -> new FaultBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new FaultBackoff(Duration.ZERO, Duration.ofSeconds(1)));
  }
}
