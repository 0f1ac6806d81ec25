package io.chronik.raft.server;

import io.chronik.raft.launcher.LocalCluster;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hosts for L4 (shared/TESTING.md): one Linux network namespace per node ({@code chrN}, address
 * {@code 10.77.0.N}), joined by veth pairs to a bridge in this namespace ({@code 10.77.0.254}, so
 * the test reaches every node). Links are cut with blackhole routes inside the namespaces (these
 * kernels have no {@code tc netem}). Only this class's own namespaces, veths and bridge are ever
 * touched; root only.
 */
final class Netns implements AutoCloseable {
  private static final String BRIDGE = "chrbr0";
  private final int nodes;
  private final List<String> cuts = new ArrayList<>();

  private Netns(int nodes) {
    this.nodes = nodes;
  }

  /** Whether this process may create namespaces here (root, iproute2 present). */
  static boolean available() {
    try {
      return "root".equals(System.getProperty("user.name")) && run(false, "ip", "netns", "list") == 0;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * @param tcpRetries2 the namespaces' {@code net.ipv4.tcp_retries2} (the kernel default is 15), or
   *     0 to leave it: how soon a TCP connection whose data goes unacknowledged is given up
   */
  static Netns create(int nodes, int tcpRetries2) throws IOException, InterruptedException {
    Netns n = new Netns(nodes);
    n.destroy(); // what a crashed run may have left
    ip("link", "add", BRIDGE, "type", "bridge");
    ip("addr", "add", "10.77.0.254/24", "dev", BRIDGE);
    ip("link", "set", BRIDGE, "up");
    for (int i = 1; i <= nodes; i++) {
      String ns = "chr" + i;
      ip("netns", "add", ns);
      ip("link", "add", "chrv" + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
      ip("link", "set", "chrv" + i, "master", BRIDGE);
      ip("link", "set", "chrv" + i, "up");
      ip("netns", "exec", ns, "ip", "addr", "add", "10.77.0." + i + "/24", "dev", "eth0");
      ip("netns", "exec", ns, "ip", "link", "set", "eth0", "up");
      ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
      if (tcpRetries2 > 0) {
        if (run(true, "ip", "netns", "exec", ns, "sysctl", "-w", "net.ipv4.tcp_retries2=" + tcpRetries2) != 0) {
          throw new IOException("cannot set net.ipv4.tcp_retries2 in " + ns);
        }
      }
    }
    return n;
  }

  LocalCluster.Layout layout() {
    return new LocalCluster.Layout() {
      @Override
      public String host(int node) {
        return "10.77.0." + (node + 1);
      }

      @Override
      public List<String> launcher(int node) {
        return List.of("ip", "netns", "exec", "chr" + (node + 1));
      }
    };
  }

  /** Cuts the link between nodes {@code a} and {@code b} (0-based) in both directions. */
  void cut(int a, int b) throws IOException, InterruptedException {
    route("add", a, b);
    route("add", b, a);
  }

  /** Cuts node {@code a} off from every other node (the test still reaches it over the bridge). */
  void isolate(int a) throws IOException, InterruptedException {
    for (int b = 0; b < nodes; b++) if (b != a) cut(a, b);
  }

  /** Removes every cut. */
  void heal() throws IOException, InterruptedException {
    for (String c : new ArrayList<>(cuts)) {
      String[] p = c.split(" ");
      ip("netns", "exec", p[0], "ip", "route", "del", "blackhole", p[1]);
      cuts.remove(c);
    }
  }

  private void route(String op, int from, int to) throws IOException, InterruptedException {
    String ns = "chr" + (from + 1);
    String dest = "10.77.0." + (to + 1) + "/32";
    if (cuts.contains(ns + " " + dest)) return;
    ip("netns", "exec", ns, "ip", "route", op, "blackhole", dest);
    cuts.add(ns + " " + dest);
  }

  private void destroy() throws IOException, InterruptedException {
    for (int i = 1; i <= nodes; i++) {
      run(false, "ip", "netns", "del", "chr" + i);
      run(false, "ip", "link", "del", "chrv" + i);
    }
    run(false, "ip", "link", "del", BRIDGE);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    destroy();
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    if (run(true, cmd.toArray(String[]::new)) != 0) throw new IOException("failed: " + String.join(" ", cmd));
  }

  private static int run(boolean report, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    if (report && p.exitValue() != 0) System.err.println(String.join(" ", cmd) + ": " + out);
    return p.exitValue();
  }
}
