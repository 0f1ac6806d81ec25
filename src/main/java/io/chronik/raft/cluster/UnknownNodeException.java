package io.chronik.raft.cluster;

/** A request for a node whose address this node has not learned yet; nothing was sent. Retryable. */
public final class UnknownNodeException extends RuntimeException {
  public UnknownNodeException(String message) {
    super(message);
  }
}
