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
  private final java.util.Set<String> forgetful = new java.util.HashSet<>();

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
      forgetful.add(sender);
    }
    return true;
  }

  /** Whether {@code id} from {@code sender} is among the ids remembered. */
  public boolean contains(String sender, long id) {
    LinkedHashSet<Long> ids = seen.get(sender);
    return ids != null && ids.contains(id);
  }

  /** Whether ids from {@code sender} were ever dropped from the window (then "not seen" proves nothing). */
  public boolean forgotAny(String sender) {
    return forgetful.contains(sender);
  }
}
