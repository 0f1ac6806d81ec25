package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RecentIdsTest {
  @Test
  void aRepeatedIdFromTheSameSenderIsRecognisedWithinTheWindow() {
    RecentIds ids = new RecentIds(3);
    assertTrue(ids.firstTime("a", 7));
    assertFalse(ids.firstTime("a", 7), "duplicate");
    assertTrue(ids.firstTime("b", 7), "ids are per sender");
    assertTrue(ids.firstTime("a", 5), "out of order is fine");
    assertFalse(ids.firstTime("a", 5));
  }

  @Test
  void memoryIsBoundedByTheWindow() {
    RecentIds ids = new RecentIds(2);
    assertTrue(ids.firstTime("a", 1));
    assertTrue(ids.firstTime("a", 2));
    assertTrue(ids.firstTime("a", 3)); // 1 leaves the window
    assertFalse(ids.firstTime("a", 3));
    assertTrue(ids.firstTime("a", 1), "forgotten once out of the window");
    assertThrows(IllegalArgumentException.class, () -> new RecentIds(0));
  }

  @Test
  void itSaysWhatItRemembersAndWhetherItForgotAnything() {
    RecentIds ids = new RecentIds(2);
    ids.firstTime("a", 1);
    ids.firstTime("a", 2);
    assertTrue(ids.contains("a", 1));
    assertFalse(ids.forgotAny("a"));
    ids.firstTime("a", 3);
    assertFalse(ids.contains("a", 1));
    assertTrue(ids.forgotAny("a"), "after forgetting, 'not seen' proves nothing");
    assertFalse(ids.forgotAny("b"));
  }
}
