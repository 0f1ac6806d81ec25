/**
 * The state-machine SPI: {@code StateMachine}, which applications implement (its snapshots are
 * {@code snapshot.StateSnapshot}s), and {@code SnapshotFormat}, the snapshot framing the built-ins
 * share. Depends on {@code snapshot} only; the built-ins live in {@code statemachine.recordlog} and
 * {@code statemachine.keyvalue}, which depend on it, never the other way.
 */
package io.chronik.raft.statemachine;
