package io.chronik.raft.replica;

/**
 * A replica-to-replica RPC of one Raft group. Every one carries the sender's term, which the
 * replica checks in one place before any role handler runs (Raft §5.1).
 */
public interface RaftMessage extends Command {
  String groupId();

  String from();

  long term();
}
