/**
 * Nodes and what connects them: each node's {@code NodeHost} and its replicas, placement of
 * partitions on nodes, peer discovery, the transport and serializers between replicas, topics.
 * Builds on {@code replica}, {@code storage} and the state machines; must not depend on {@code
 * api}, {@code server} or the tools.
 */
package io.chronik.raft.cluster;
