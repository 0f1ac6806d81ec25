/**
 * The event-journal state machine behind chronik's Akka Persistence plugins: persistent actors'
 * events and snapshots in segment files, with a per-persistence-id index in memory.
 */
package io.chronik.raft.statemachine.journal;
