package io.chronik.raft.api;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The idempotent producer identities a node uses for the writes it routes, so that it can resend a
 * write whose outcome is unknown without appending it twice. A write takes a slot (a producer id
 * and its next sequence number) for itself alone; once the write's outcome is known the slot goes
 * back to the partition's pool with its sequence advanced (or not, when nothing was appended), and
 * a slot whose outcome stayed unknown is dropped, never reused: its sequence may or may not be
 * taken. A pool holds as many slots as the partition ever had writes in flight at once, so the
 * partitions remember few producers per node.
 */
final class ProducerSlots {
  /** One producer identity, used by one write at a time. */
  static final class Slot {
    final long producerId;
    long sequence;

    Slot(long producerId) {
      this.producerId = producerId;
    }
  }

  private final Map<String, ArrayDeque<Slot>> pools = new ConcurrentHashMap<>();

  Slot take(String group) {
    ArrayDeque<Slot> pool = pools.computeIfAbsent(group, g -> new ArrayDeque<>());
    synchronized (pool) {
      Slot s = pool.pollLast();
      if (s != null) return s;
    }
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == 0);
    return new Slot(id);
  }

  /** The write's outcome is known: {@code appended} whether its sequence is now taken (appended or a duplicate). */
  void release(String group, Slot slot, boolean appended) {
    if (appended) slot.sequence++;
    ArrayDeque<Slot> pool = pools.get(group);
    synchronized (pool) {
      pool.addLast(slot);
    }
  }
}
