package io.chronik.raft.core;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The last {@code window} request ids seen from each sender, to recognise a message delivered
 * twice. A leader applies a forwarded write once per id: a duplicated {@code ForwardedPropose}
 * would otherwise append the same command twice, and a write applied twice is not linearizable.
 * Real transports do not duplicate (Artery over TCP delivers at most once); fault injection and
 * the simulation do, within far fewer messages than the window.
 */
public final class RecentIds {
  private final int window;
  private final Map<String, LinkedHashSet<Long>> seen = new HashMap<>();

  public RecentIds(int window) {
    if (window < 1) throw new IllegalArgumentException("window must be >= 1, got " + window);
    this.window = window;
  }

  /** Records {@code id} from {@code sender}; false when it was already among the last {@code window}. */
  public boolean firstTime(String sender, long id) {
    LinkedHashSet<Long> ids = seen.computeIfAbsent(sender, s -> new LinkedHashSet<>());
    if (!ids.add(id)) return false;
    if (ids.size() > window) {
      Iterator<Long> eldest = ids.iterator();
      eldest.next();
      eldest.remove();
    }
    return true;
  }
}
