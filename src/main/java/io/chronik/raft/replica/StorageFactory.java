package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;

/**
 * Creates the replica's storage actor. {@code incarnation} grows each time the replica has to
 * start storage again after it stopped (a journal failure), so child names never collide.
 */
@FunctionalInterface
public interface StorageFactory {
  ActorRef<StorageCommand> create(ActorContext<Command> ctx, int incarnation);
}
