package io.chronik.raft.replica;

/**
 * Where a replica hands its peer messages. Called on the replica's own thread, so an implementation
 * is called by many replicas at once and must be safe for that; it must not block.
 */
@FunctionalInterface
public interface PeerSender {
  void send(Envelope envelope);
}
