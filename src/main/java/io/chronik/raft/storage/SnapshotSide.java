package io.chronik.raft.storage;

import io.chronik.raft.replica.StorageProtocol.CompleteSnapshot;
import io.chronik.raft.replica.StorageProtocol.DiscardSnapshot;
import io.chronik.raft.replica.StorageProtocol.SaveSnapshot;
import io.chronik.raft.replica.StorageProtocol.SnapshotChunkStored;
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
import org.slf4j.Logger;

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
    c.replyTo().tell(new SnapshotChunkStored(c.transfer(), c.meta(),
        receiver.store(c.transfer(), c.meta(), c.offset(), c.bytes())));
  }

  /** Completes a received snapshot and answers; returns it when it is durable now, empty when it is not. */
  Optional<SnapshotData> complete(CompleteSnapshot c) throws IOException {
    SnapshotReceiver.Completion done = receiver.complete(c.transfer(), c.meta(), c.size(), c.checksum());
    c.replyTo().tell(c.answer(done));
    return done.snapshot();
  }

  /**
   * Drops an abandoned transfer and deletes its partial file. A file that cannot be deleted now
   * is only logged: the next start deletes every partial file ({@link FileSnapshotStore#latest()}).
   */
  /**
   * A snapshot file operation ({@code what}: "writing a snapshot") failed and storage stops: the
   * replica is told the directory and the cause, and logs it once per fault episode (a full disk
   * is not a stack trace per retry here; that goes to debug).
   */
  void failed(String what, Throwable cause, akka.actor.typed.ActorRef<io.chronik.raft.replica.Command> replica,
      Logger log) {
    log.debug("{} in {} failed; stopping storage", what, dir(), cause);
    replica.tell(new io.chronik.raft.replica.StorageProtocol.StorageFailed(what + " in " + dir() + " failed: "
        + cause.getMessage()));
  }

  void discard(DiscardSnapshot d, Logger log) {
    try {
      receiver.discard(d.transfer());
    } catch (IOException e) {
      log.warn("deleting the partial snapshot of an abandoned transfer in {} failed ({}); it goes at the next start",
          store.dir(), e.getMessage());
    }
  }
}
