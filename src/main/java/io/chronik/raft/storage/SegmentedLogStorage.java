package io.chronik.raft.storage;

import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import io.chronik.raft.replica.Command;
import io.chronik.raft.replica.StorageFactory;
import io.chronik.raft.replica.StorageProtocol.CompleteSnapshot;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.Recover;
import io.chronik.raft.replica.StorageProtocol.Recovered;
import io.chronik.raft.replica.StorageProtocol.SaveSnapshot;
import io.chronik.raft.replica.StorageProtocol.SnapshotSaved;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.replica.StorageProtocol.StorageFailed;
import io.chronik.raft.replica.StorageProtocol.StoreSnapshotChunk;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.storage.proto.StorageWrite;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A replica's durable term, vote and log in a {@link SegmentedLog} of its own (chronik's
 * write-ahead log: one record per write, forced before {@link Persisted}), with its snapshots
 * beside it. A durable snapshot lets the closed segments it covers be deleted whole. It runs on
 * the blocking-I/O dispatcher; an I/O failure stops it, and the replica recovers from disk.
 */
public final class SegmentedLogStorage {
  private SegmentedLogStorage() {}

  /** A snapshot write on the blocking dispatcher ended (private). */
  private record SnapshotWritten(SnapshotData snapshot, Throwable failure, akka.actor.typed.ActorRef<Command> replyTo)
      implements StorageCommand {}

  public static Behavior<StorageCommand> create(Path logDir, Path snapshotDir, long segmentBytes) {
    return create(logDir, snapshotDir, segmentBytes, SegmentedLog.ChannelOpener.FILES);
  }

  /** As {@link #create(Path, Path, long)}, with the log's files opened through {@code files}. */
  public static Behavior<StorageCommand> create(Path logDir, Path snapshotDir, long segmentBytes,
      SegmentedLog.ChannelOpener files) {
    return Behaviors.setup(ctx -> {
      SnapshotSide snapshots = new SnapshotSide(snapshotDir);
      Optional<SnapshotData> snapshot = snapshots.latest();
      RecoveredLog recovered = new RecoveredLog(snapshot.map(s -> s.meta().index()).orElse(0L));
      SegmentedLog log;
      try {
        log = SegmentedLog.open(logDir, segmentBytes, files, recovered::apply);
      } catch (IOException e) {
        ctx.getLog().error("opening the replica's log in {} failed; the replica tries again after its backoff",
            logDir, e);
        return Behaviors.stopped();
      }
      if (log.repairedBytes() > 0) {
        ctx.getLog().warn("{}: cut {} bytes of an interrupted write off the log's tail (never acknowledged); "
            + "the replica catches up from its leader", logDir, log.repairedBytes());
      }
      return running(ctx, log, snapshots, snapshot, recovered);
    });
  }

  private static Behavior<StorageCommand> running(ActorContext<StorageCommand> ctx, SegmentedLog log,
      SnapshotSide snapshots, Optional<SnapshotData> snapshot, RecoveredLog recovered) {
    return Behaviors.receive(StorageCommand.class)
        .onMessage(Recover.class, r -> {
          r.replyTo().tell(new Recovered(recovered.hardState, snapshot, List.copyOf(recovered.entries)));
          recovered.entries.clear(); // the replica holds the log from now on
          return Behaviors.same();
        })
        .onMessage(Persist.class, p -> {
          StorageWrite.Builder w = StorageWrite.newBuilder().setTruncateFrom(p.truncateFrom()).addAllEntries(p.entries());
          p.hardState().ifPresent(w::setHardState);
          if (!appendOrStop(ctx, log, w.build(), p.replyTo())) return Behaviors.stopped();
          p.replyTo().tell(new Persisted(p.writeId()));
          return Behaviors.same();
        })
        .onMessage(SaveSnapshot.class, save -> {
          ctx.pipeToSelf(snapshots.write(save, ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking())),
              (data, failure) -> new SnapshotWritten(data, failure, save.replyTo()));
          return Behaviors.same();
        })
        .onMessage(SnapshotWritten.class, w -> {
          if (w.failure() != null) {
            snapshots.failed("writing a snapshot", w.failure(), w.replyTo(), ctx.getLog());
            return Behaviors.stopped();
          }
          w.replyTo().tell(new SnapshotSaved(w.snapshot(), false));
          return deleteCovered(ctx, log, w.snapshot().meta().index());
        })
        .onMessage(StoreSnapshotChunk.class, c -> {
          try {
            snapshots.store(c);
            return Behaviors.same();
          } catch (IOException e) {
            snapshots.failed("storing a snapshot chunk", e, c.replyTo(), ctx.getLog());
            return Behaviors.stopped();
          }
        })
        .onMessage(CompleteSnapshot.class, c -> {
          try {
            Optional<SnapshotData> done = snapshots.complete(c);
            return done.isPresent() ? deleteCovered(ctx, log, c.meta().index()) : Behaviors.same();
          } catch (IOException e) {
            snapshots.failed("completing a received snapshot", e, c.replyTo(), ctx.getLog());
            return Behaviors.stopped();
          }
        })
        .onMessage(io.chronik.raft.replica.StorageProtocol.DiscardSnapshot.class, d -> {
          snapshots.discard(d, ctx.getLog());
          return Behaviors.same();
        })
        .onSignal(akka.actor.typed.PostStop.class, s -> {
          log.close();
          return Behaviors.same();
        })
        .build();
  }

  /**
   * Appends {@code w}; on failure tells the replica what failed (it logs once per fault episode, so
   * a disk that stays full is not a stack trace per retry here) and returns false.
   */
  private static boolean appendOrStop(ActorContext<StorageCommand> ctx, SegmentedLog log, StorageWrite w,
      akka.actor.typed.ActorRef<Command> replica) {
    try {
      log.append(w);
      return true;
    } catch (IOException e) {
      ctx.getLog().debug("a write to the replica's log failed; stopping storage", e);
      replica.tell(new StorageFailed("a write to its log in " + log.dir() + " failed: " + e.getMessage()));
      return false;
    }
  }

  private static Behavior<StorageCommand> deleteCovered(ActorContext<StorageCommand> ctx, SegmentedLog log, long index) {
    try {
      log.deleteCovered(index);
      return Behaviors.same();
    } catch (IOException e) {
      ctx.getLog().error("deleting log segments a snapshot covers failed; restarting storage", e);
      return Behaviors.stopped();
    }
  }

  /** A {@link StorageFactory}: the log under {@code logDir}, snapshots under {@code snapshotDir}. */
  public static StorageFactory factory(Path logDir, Path snapshotDir, long segmentBytes) {
    return factory(logDir, snapshotDir, segmentBytes, SegmentedLog.ChannelOpener.FILES);
  }

  /** As {@link #factory(Path, Path, long)}, with the log's files opened through {@code files}. */
  public static StorageFactory factory(Path logDir, Path snapshotDir, long segmentBytes,
      SegmentedLog.ChannelOpener files) {
    return (ctx, incarnation) -> ctx.spawn(create(logDir, snapshotDir, segmentBytes, files),
        "storage-" + incarnation, DispatcherSelector.blocking());
  }

  /** The storage of replica {@code node} of {@code group} under {@code <chronik.data-dir>}. */
  public static StorageFactory factory(Config config, String node, String group) {
    Path data = Path.of(config.getString("chronik.data-dir"));
    return factory(data.resolve("wal").resolve(node).resolve(group), JournalStorage.snapshotDir(config, node, group),
        config.getBytes("chronik.raft.wal.segment-bytes"));
  }
}
