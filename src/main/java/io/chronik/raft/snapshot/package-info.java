/**
 * Snapshots as data: a state machine's frozen state ({@code StateSnapshot}), a stored snapshot
 * ({@code SnapshotData}, {@code SnapshotMeta} with the group's configuration), its file store and
 * the receiver of a streamed one. The bottom of the state-machine layer: must not depend on any
 * other chronik package but the pure values of {@code core} (the {@code Configuration} a snapshot
 * carries) and the generated {@code rpc} messages.
 */
package io.chronik.raft.snapshot;
