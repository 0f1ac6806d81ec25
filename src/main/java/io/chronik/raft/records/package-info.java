/**
 * The record log on disk: segments of record batches in a partition directory, checkpoints and
 * their export to a follower. Used by {@code statemachine.recordlog}; depends on {@code
 * statemachine} ({@code SnapshotFormat}) and {@code snapshot} only, never on a replica or Akka.
 */
package io.chronik.raft.records;
