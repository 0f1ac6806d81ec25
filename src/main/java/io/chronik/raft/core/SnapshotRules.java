package io.chronik.raft.core;

/**
 * Snapshots (Raft §7): when a replica takes one, when a leader sends one instead of entries, which chunk of an InstallSnapshot a follower accepts, and when a transfer is abandoned or resumed.
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 */
public class SnapshotRules {
}
