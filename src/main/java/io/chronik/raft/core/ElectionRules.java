package io.chronik.raft.core;

/**
 * Elections (Raft §5.2, thesis §4.2.3 and §9.6): the term check every message passes first and the answer to a stale one, vote and pre-vote granting (the leader lease and its leadership-transfer exception), the randomized election timeout, and counting votes.
 *
 * <p>Pure: no Akka, no I/O, no clock or randomness of its own (what it needs comes in as a value).
 * Not final so that a test can inject a mutant of one rule (see {@link RaftRules}).
 */
public class ElectionRules {
}
