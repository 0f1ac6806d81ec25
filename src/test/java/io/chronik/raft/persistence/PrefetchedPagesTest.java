package io.chronik.raft.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.chronik.raft.persistence.proto.JournalReadResult;
import org.junit.jupiter.api.Test;

class PrefetchedPagesTest {
  private static final JournalReadResult PAGE = JournalReadResult.newBuilder().setHighestSequenceNr(7).build();

  @Test
  void aPageServesOneReplayFromWhereItWasRead() {
    PrefetchedPages pages = new PrefetchedPages(10);
    pages.put("a", 3, PAGE);
    assertNull(pages.take("b", 3));
    assertEquals(PAGE, pages.take("a", 3));
    assertNull(pages.take("a", 3), "once");
    pages.put("a", 3, PAGE);
    assertNull(pages.take("a", 1), "a replay from elsewhere reads for itself");
    assertNull(pages.take("a", 3), "and the page is gone");
  }

  @Test
  void aWriteOfThePersistenceIdMakesItsPageStaleAndTheOldestGoFirst() {
    PrefetchedPages pages = new PrefetchedPages(2);
    pages.put("a", 1, PAGE);
    pages.forget("a");
    assertNull(pages.take("a", 1));
    pages.put("a", 1, PAGE);
    pages.put("b", 1, PAGE);
    pages.put("c", 1, PAGE);
    assertNull(pages.take("a", 1), "dropped past the capacity");
    assertEquals(PAGE, pages.take("c", 1));
  }
}
