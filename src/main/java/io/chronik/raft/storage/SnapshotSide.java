package io.chronik.raft.storage;

import io.chronik.raft.replica.Command;
import io.chronik.raft.replica.StorageProtocol.CompleteSnapshot;
import io.chronik.raft.replica.StorageProtocol.SaveSnapshot;
import io.chronik.raft.replica.StorageProtocol.SnapshotChunkStored;
import io.chronik.raft.replica.StorageProtocol.SnapshotSaved;
import io.chronik.raft.replica.StorageProtocol.StoreSnapshotChunk;
import io.chronik.raft.snapshot.FileSnapshotStore;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The snapshot half of a replica's storage, the same for every log store: snapshot files
 * ({@link FileSnapshotStore}) written off the storage actor, and a leader's snapshot received in
 * chunks ({@link SnapshotReceiver}). The storage decides what to delete once one is durable.
 */
final class SnapshotSide {
  private final FileSnapshotStore store;
  private final SnapshotReceiver receiver;

  SnapshotSide(Path dir) {
    this.store = new FileSnapshotStore(dir);
    this.receiver = new SnapshotReceiver(store::receive);
  }

  Path dir() {
    return store.dir();
  }

  /** The latest whole snapshot; a damaged one fails with a message that says what to do. */
  Optional<SnapshotData> latest() {
    try {
      return store.latest();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /** Writes the frozen state on {@code blocking}; log writes go on meanwhile. */
  CompletableFuture<SnapshotData> write(SaveSnapshot save, Executor blocking) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return store.write(save.meta(), save.state());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, blocking);
  }

  /** Stores a chunk and answers where the next one goes. */
  void store(StoreSnapshotChunk c) throws IOException {
    c.replyTo().tell(new SnapshotChunkStored(c.meta(), receiver.store(c.meta(), c.offset(), c.bytes())));
  }

  /** Completes a received snapshot and answers; returns it when it is durable now, empty when chunks are missing. */
  Optional<SnapshotData> complete(CompleteSnapshot c) throws IOException {
    Optional<SnapshotData> done = receiver.complete(c.meta(), c.size());
    Command reply = done.<Command>map(d -> new SnapshotSaved(d, true))
        .orElseGet(() -> new SnapshotChunkStored(c.meta(), receiver.next(c.meta())));
    c.replyTo().tell(reply);
    return done;
  }
}
