package io.chronik.raft.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The chronik command line. */
@Command(
    name = "chronik",
    mixinStandardHelpOptions = true,
    version = "chronik-raft 0.1.0",
    description = "Raft replication engine on Akka typed actors.",
    subcommands = {
        ClusterCommand.class, ServerCommand.class, DemoCommand.class, ThroughputCommand.class, BenchCommand.class,
        ClientCommands.Produce.class, ClientCommands.Fetch.class, ClientCommands.Put.class, ClientCommands.Get.class,
        ClientCommands.Status.class, WarmUpCommand.class})
public final class Main implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    commonPoolOfAtLeastTwo();
    // Initialise logging before Akka starts, so that no early log call is queued and replayed.
    org.slf4j.LoggerFactory.getLogger(Main.class);
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) System.exit(code);
  }

  /**
   * Futures that Akka and akka-grpc hand to Java run their callbacks on the common pool; with
   * fewer than two cores of parallelism (the default on a 2-core machine) the JDK starts a new
   * thread for every callback instead, thousands per second under load. Must run before anything
   * touches ForkJoinPool.
   */
  private static void commonPoolOfAtLeastTwo() {
    String key = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(key) == null) {
      System.setProperty(key, String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }
}
