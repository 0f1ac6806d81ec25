/**
 * The {@code chronik} command: {@code Main} parses the command line and dispatches to the node
 * ({@code server}) and the tools ({@code client}, {@code launcher}, {@code demo}, {@code bench}).
 * The top of the dependency graph: no package may import it (node processes are started by its
 * class name, {@code launcher.LocalCluster.MAIN_CLASS}).
 */
package io.chronik.raft.cli;
