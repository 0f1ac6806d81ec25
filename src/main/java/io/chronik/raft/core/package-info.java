/**
 * The pure, deterministic Raft data structures: the log view ({@code RaftLog}), the group's
 * configuration ({@code Configuration}), quorum arithmetic by voter id ({@code Quorum}, joint while
 * a configuration changes), follower flow control ({@code Progress}), ReadIndex bookkeeping
 * ({@code ReadIndexQueue}, {@code PendingReads}), and the decisions of the protocol, one rule object
 * per kind ({@code RaftRules}). Values in, decisions out; unit-tested without an
 * ActorSystem. Must not import Akka, nor any chronik package but the generated {@code rpc} messages.
 */
package io.chronik.raft.core;
