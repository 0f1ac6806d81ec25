package io.chronik.raft.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Ports for the nodes tests start, free when handed out, below Linux's ephemeral range (32768 and
 * up). A port from that range, free when checked, can be taken by an outgoing connection or another
 * bind to port 0 before the node binds it: CI failed twice on "Address already in use" that way.
 * Below the range only an explicit bind can take it, and no port is handed out twice in one JVM.
 */
public final class FreePorts {
  private static final int LOWEST = 20_000;
  private static final int BELOW_EPHEMERAL = 32_768;
  private static final Set<Integer> handedOut = new HashSet<>();
  private static final Random random = new Random();

  private FreePorts() {}

  /** One free port. */
  public static int one() {
    return run(1);
  }

  /** The first of {@code width} consecutive free ports. */
  public static synchronized int run(int width) {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int first = LOWEST + random.nextInt(BELOW_EPHEMERAL - LOWEST - width);
      if (available(first, width)) {
        for (int p = first; p < first + width; p++) handedOut.add(p);
        return first;
      }
    }
    throw new IllegalStateException("no " + width + " consecutive free ports between " + LOWEST + " and "
        + BELOW_EPHEMERAL + "; is something holding most of them?");
  }

  private static boolean available(int first, int width) {
    for (int p = first; p < first + width; p++) {
      if (handedOut.contains(p) || !free(p)) return false;
    }
    return true;
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
