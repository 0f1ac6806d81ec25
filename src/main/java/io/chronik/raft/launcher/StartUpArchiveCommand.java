package io.chronik.raft.launcher;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prepares the class-data archive for {@code bin/chronik server} when the build changed since it
 * was made ({@link StartupArchive}), and prints how to start a node with it: the class path on the
 * first line, the JVM options on the second (empty: start without it). What it does goes to
 * standard error.
 */
@Command(name = "start-up-archive", hidden = true, mixinStandardHelpOptions = true,
    description = "Prepare the class-data archive of the build under --root; print the class path and JVM options.")
public final class StartUpArchiveCommand implements Callable<Integer> {
  @Option(names = "--root", required = true, description = "The checkout whose target/ holds the build.")
  Path root;

  @Override
  public Integer call() {
    StartupArchive.Launch launch = StartupArchive.forNodes(root, System.getProperty("java.class.path"), System.err);
    System.out.println(launch.classpath());
    System.out.println(String.join(" ", launch.jvmOptions()));
    return 0;
  }
}
