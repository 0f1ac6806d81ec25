/**
 * Snapshots as data: a state machine's frozen state ({@code StateSnapshot}), a stored snapshot
 * ({@code SnapshotData}, {@code SnapshotMeta}), its file store and the receiver of a streamed one.
 * The bottom of the state-machine layer: must not depend on any other chronik package.
 */
package io.chronik.raft.snapshot;
