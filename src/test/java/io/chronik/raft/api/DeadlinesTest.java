package io.chronik.raft.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
  @Test
  void theGrpcTimeoutHeaderBecomesAnInstantInEachOfItsUnits() {
    assertEquals(1_000 + 2L * 3_600_000_000_000L, Deadlines.of(Optional.of("2H"), 1_000));
    assertEquals(1_000 + 3L * 60_000_000_000L, Deadlines.of(Optional.of("3M"), 1_000));
    assertEquals(1_000 + 4_000_000_000L, Deadlines.of(Optional.of("4S"), 1_000));
    assertEquals(1_000 + 799_000_000L, Deadlines.of(Optional.of("799m"), 1_000));
    assertEquals(1_000 + 799_723_000L, Deadlines.of(Optional.of("799723u"), 1_000));
    assertEquals(1_000 + 5L, Deadlines.of(Optional.of("5n"), 1_000));
  }

  @Test
  void noHeaderOrAMalformedOneMeansNoDeadline() {
    for (String bad : new String[] {"", "S", "12", "12x", "-5S", "123456789S", "1.5S"}) {
      assertEquals(ChronikRaft.NO_DEADLINE, Deadlines.of(Optional.of(bad), 0), bad);
    }
    assertEquals(ChronikRaft.NO_DEADLINE, Deadlines.of(Optional.empty(), 0));
  }
}
