package io.chronik.raft.core;

/**
 * Keeping and handing over leadership: CheckQuorum (a leader that has not heard from a majority within an election timeout steps down), leadership transfer (thesis §3.10: when the target is caught up, TimeoutNow; when the transfer gives up), and draining a stopping node.
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 */
public class LeadershipRules {
}
