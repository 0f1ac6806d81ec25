package io.chronik.raft.core;

/**
 * Linearizable reads (thesis §6.4, ReadIndex): the current-term gate, confirmation of leadership by a round of heartbeats, the three-node shortcut, what a follower's ReadIndex request and a forwarded read are answered, and when a read is released.
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 */
public class ReadRules {
}
