package io.chronik.raft.cluster;

/** The sharding entity id of one replica: partition (group) id and the node that owns it. */
public record ReplicaId(String groupId, String nodeId) {
  private static final char SEPARATOR = '|';

  public ReplicaId {
    if (groupId.indexOf(SEPARATOR) >= 0 || nodeId.indexOf(SEPARATOR) >= 0) {
      throw new IllegalArgumentException("partition and node ids must not contain '" + SEPARATOR + "': "
          + groupId + ", " + nodeId);
    }
  }

  public String entityId() {
    return groupId + SEPARATOR + nodeId;
  }

  public static ReplicaId parse(String entityId) {
    int at = entityId.lastIndexOf(SEPARATOR);
    if (at <= 0 || at == entityId.length() - 1) {
      throw new IllegalArgumentException("not a replica entity id: '" + entityId + "'");
    }
    return new ReplicaId(entityId.substring(0, at), entityId.substring(at + 1));
  }

  /** The cluster role that marks the member running node {@code nodeId}. */
  public static String nodeRole(String nodeId) {
    return "chronik-node-" + nodeId;
  }
}
