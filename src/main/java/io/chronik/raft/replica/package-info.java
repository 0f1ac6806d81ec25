/**
 * The partition replica actor: its protocol messages, one behaviour per role (follower, candidate,
 * leader), timers, write coalescing ({@code WriteQueue}), reads and snapshots. Storage is a message
 * protocol ({@code StorageProtocol}) implemented elsewhere. Depends on {@code core}, {@code
 * statemachine} and {@code snapshot}; must not depend on {@code storage}, {@code cluster}, {@code api}.
 */
package io.chronik.raft.replica;
