package io.chronik.raft.core;

/**
 * Log replication and commit (Raft §5.3, §5.4): whether a follower accepts an AppendEntries and the conflict hint it returns, the leader's back-off on a refusal (fast back-off) and what it sends next (pipelining), and commit advancement (only an entry of the leader's own term commits by counting, Figure 8).
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 */
public class ReplicationRules {
}
