package io.chronik.raft.replica;

/** Every message a partition replica accepts: peer RPCs, client requests, storage replies, timers. */
public interface Command {}
