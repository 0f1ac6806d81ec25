package io.chronik.raft.persistence;

import io.chronik.raft.persistence.proto.JournalReadResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replays' first pages, read with their highest sequence number and kept until the replay that
 * follows takes them (Akka 2.6 always asks for the highest number right before it replays). A
 * page is used only fresh: within {@link #MAX_AGE_NANOS} of its read, and not after this journal
 * wrote or deleted anything of its persistence id. Bounded: a page whose replay never comes (Akka
 * skips it when nothing is to replay) is dropped, oldest first, once {@code capacity} are kept.
 */
final class PrefetchedPages {
  static final long MAX_AGE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

  private record Page(long from, JournalReadResult result, long readAt) {}

  private final Map<String, Page> pages;

  PrefetchedPages(int capacity) {
    this.pages = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Page> eldest) {
        return size() > capacity;
      }
    };
  }

  synchronized void put(String persistenceId, long from, JournalReadResult page) {
    pages.put(persistenceId, new Page(from, page, System.nanoTime()));
  }

  /** This journal changed {@code persistenceId}'s events: a page read before is stale. */
  synchronized void forget(String persistenceId) {
    pages.remove(persistenceId);
  }

  /** The page read for a replay of {@code persistenceId} from {@code from}, once; else null. */
  synchronized JournalReadResult take(String persistenceId, long from) {
    Page p = pages.remove(persistenceId);
    return p != null && p.from() == from && System.nanoTime() - p.readAt() < MAX_AGE_NANOS ? p.result() : null;
  }
}
