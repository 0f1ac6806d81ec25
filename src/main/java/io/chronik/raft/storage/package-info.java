/**
 * A replica's durable state: hard state and log through akka-persistence ({@code JournalStorage},
 * the embedded LevelDB journal) or chronik's own write-ahead log ({@code SegmentedLog}), and the
 * snapshot files beside them. Implements {@code replica.StorageProtocol}; must not depend on
 * {@code cluster}, {@code api} or the tools.
 */
package io.chronik.raft.storage;
