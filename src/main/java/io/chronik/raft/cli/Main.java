package io.chronik.raft.cli;

import io.chronik.raft.bench.BenchCommand;
import io.chronik.raft.bench.KafkaBenchCommand;
import io.chronik.raft.bench.ThroughputCommand;
import io.chronik.raft.client.ClientCommands;
import io.chronik.raft.demo.DemoCommand;
import io.chronik.raft.launcher.ClusterCommand;
import io.chronik.raft.launcher.StartUpArchiveCommand;
import io.chronik.raft.launcher.WarmUpCommand;
import io.chronik.raft.server.ServerCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/** The chronik command line. */
@Command(
    name = "chronik",
    mixinStandardHelpOptions = true,
    version = "chronik-raft 0.1.0",
    description = "Raft replication engine on Akka typed actors.",
    subcommands = {
        ClusterCommand.class, ServerCommand.class, DemoCommand.class, ThroughputCommand.class, BenchCommand.class,
        KafkaBenchCommand.class,
        ClientCommands.Produce.class, ClientCommands.Fetch.class, ClientCommands.Put.class, ClientCommands.Get.class,
        ClientCommands.Delete.class, ClientCommands.Cas.class, ClientCommands.Status.class, ClientCommands.Node.class,
        ClientCommands.Topic.class,
        ClientCommands.Leader.class, WarmUpCommand.class, StartUpArchiveCommand.class})
public final class Main implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    commonPoolOfAtLeastTwo();
    int code = new CommandLine(new Main()).setExecutionStrategy(Main::withLogging).execute(args);
    if (code != 0) System.exit(code);
  }

  /**
   * Commands that start Akka initialise logging (logback) before it starts, so that no early log
   * call is queued and replayed. The gRPC client commands start no Akka and skip logback, whose
   * start-up was about half of what a client call cost on top of the JVM; so do --help and
   * --version. They get slf4j's no-op provider instead, and netty, finding no usable slf4j, logs
   * its rare warnings like gRPC does, through java.util.logging to standard error.
   */
  private static int withLogging(ParseResult parsed) {
    Integer helped = CommandLine.executeHelpRequest(parsed);
    if (helped != null) return helped;
    boolean client = parsed.asCommandLineList().stream().anyMatch(c -> c.getCommand() instanceof ClientCommands.Base);
    if (!client) {
      org.slf4j.LoggerFactory.getLogger(Main.class);
    } else if (System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.provider", org.slf4j.helpers.NOP_FallbackServiceProvider.class.getName());
      System.setProperty("slf4j.internal.verbosity", "WARN"); // not "loading the provider you named"
    }
    return new CommandLine.RunLast().execute(parsed);
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
