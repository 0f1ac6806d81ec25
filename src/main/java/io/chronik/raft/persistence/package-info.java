/**
 * Akka Persistence on chronik: a journal and a snapshot store whose data are journal partitions
 * ({@link io.chronik.raft.statemachine.journal.JournalStateMachine}), replicated by Raft and read
 * with {@code safe} (ReadIndex) reads from whichever replica is nearest.
 */
package io.chronik.raft.persistence;
