package io.chronik.raft.core;

/**
 * Writes a follower forwarded to its leader: de-duplication (a ForwardedPropose appended once) and what a replica that may have appended one answers when it no longer leads (outcome unknown, never a retry-safe refusal).
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 */
public class ForwardingRules {
}
