package io.chronik.raft.cluster;

/** The Akka Cluster role that marks the member running a chronik node: {@code chronik-node-<node id>}. */
public final class NodeRole {
  private static final String PREFIX = "chronik-node-";

  private NodeRole() {}

  public static String of(String nodeId) {
    return PREFIX + nodeId;
  }

  /** The node id {@code role} names, or null for any other role. */
  static String nodeIdOf(String role) {
    return role.startsWith(PREFIX) && role.length() > PREFIX.length() ? role.substring(PREFIX.length()) : null;
  }
}
