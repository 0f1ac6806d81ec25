/**
 * The pure, deterministic Raft data structures: the log view ({@code RaftLog}), quorum arithmetic
 * by voter id ({@code Quorum}), follower flow control ({@code Progress}), ReadIndex bookkeeping
 * ({@code ReadIndexQueue}, {@code PendingReads}). Values in, decisions out; unit-tested without an
 * ActorSystem. Must not import Akka, nor any chronik package but the generated {@code rpc} messages.
 */
package io.chronik.raft.core;
