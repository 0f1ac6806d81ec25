package io.chronik.raft.cluster;

import io.chronik.raft.replica.RaftMessage;
import java.time.Duration;

/**
 * Fault injection under the replica messages of a node (chaos testing, like etcd's failpoints):
 * named by {@code chronik.cluster.message-filter} (a class with a public constructor taking the
 * node id), consulted for every replica message this node sends. Off by default. It is called on
 * the sending replicas' threads, several at once, so an implementation must be thread-safe.
 */
public interface MessageFilter {
  /** What happens to one message. */
  sealed interface Decision permits Deliver, Drop, Delay, Duplicate {}

  record Deliver() implements Decision {}

  record Drop() implements Decision {}

  record Delay(Duration by) implements Decision {}

  record Duplicate() implements Decision {}

  Decision decide(String fromNode, String toNode, RaftMessage message);
}
