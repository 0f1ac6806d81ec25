package io.chronik.raft.persistence;

import com.google.protobuf.ByteString;
import io.chronik.raft.persistence.proto.JournalCommand;
import io.chronik.raft.persistence.proto.JournalResult;
import io.chronik.raft.persistence.proto.WriteBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The commands for one journal partition, one Raft entry in flight at a time, so that a
 * persistence id's writes are applied in the order Akka asked for them (a later write never
 * overtakes an earlier one through a retry). Writes that queue meanwhile go together into the
 * next entry (group commit): many entities' events cost one round of replication.
 */
final class WriteLane {
  private record Pending(JournalCommand command, CompletableFuture<JournalResult> done) {}

  private final long maxBatchBytes;
  private final Function<ByteString, CompletionStage<JournalResult>> send;
  /** Where the next entry is sent from: never on the completing thread's stack, however many complete at once. */
  private final Executor executor;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean busy;

  WriteLane(long maxBatchBytes, Function<ByteString, CompletionStage<JournalResult>> send, Executor executor) {
    this.maxBatchBytes = maxBatchBytes;
    this.send = send;
    this.executor = executor;
  }

  CompletionStage<JournalResult> submit(JournalCommand command) {
    CompletableFuture<JournalResult> done = new CompletableFuture<>();
    List<Pending> next;
    synchronized (this) {
      queue.add(new Pending(command, done));
      if (busy) return done;
      busy = true;
      next = take();
    }
    sendNow(next);
    return done;
  }

  /** The next entry's commands: one non-write command, or consecutive writes up to the byte limit. */
  private List<Pending> take() {
    List<Pending> out = new ArrayList<>();
    Pending first = queue.poll();
    out.add(first);
    if (!first.command().hasWrite()) return out;
    long bytes = first.command().getSerializedSize();
    while (!queue.isEmpty() && queue.peek().command().hasWrite()
        && bytes + queue.peek().command().getSerializedSize() <= maxBatchBytes) {
      Pending p = queue.poll();
      bytes += p.command().getSerializedSize();
      out.add(p);
    }
    return out;
  }

  private void sendNow(List<Pending> entry) {
    ByteString bytes;
    if (entry.size() == 1) {
      bytes = entry.get(0).command().toByteString();
    } else {
      WriteBatch.Builder batch = WriteBatch.newBuilder().setAppendTimeMs(entry.get(0).command().getWrite().getAppendTimeMs());
      for (Pending p : entry) batch.addAllWrites(p.command().getWrite().getWritesList());
      bytes = JournalCommand.newBuilder().setWrite(batch).build().toByteString();
    }
    CompletionStage<JournalResult> sent;
    try {
      sent = send.apply(bytes);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenCompleteAsync((result, error) -> {
      complete(entry, result, error);
      List<Pending> next;
      synchronized (this) {
        if (queue.isEmpty()) {
          busy = false;
          return;
        }
        next = take();
      }
      sendNow(next);
    }, executor);
  }

  /** Each command's own part of the entry's result: its writes' errors, in order. */
  private static void complete(List<Pending> entry, JournalResult result, Throwable error) {
    if (error != null) {
      for (Pending p : entry) p.done().completeExceptionally(error);
      return;
    }
    if (!result.getError().isEmpty() || entry.size() == 1) {
      for (Pending p : entry) p.done().complete(result);
      return;
    }
    int at = 0;
    for (Pending p : entry) {
      int n = p.command().getWrite().getWritesCount();
      p.done().complete(JournalResult.newBuilder().addAllWriteErrors(result.getWriteErrorsList().subList(at,
          Math.min(at + n, result.getWriteErrorsCount()))).build());
      at += n;
    }
  }
}
