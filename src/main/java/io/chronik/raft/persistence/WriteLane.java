package io.chronik.raft.persistence;

import com.google.protobuf.ByteString;
import io.chronik.raft.persistence.proto.JournalCommand;
import io.chronik.raft.persistence.proto.JournalResult;
import io.chronik.raft.persistence.proto.WriteBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The commands for one journal partition, in Raft entries. Commands that queue while entries are
 * in flight go together into the next entry (group commit): many entities' events cost one round
 * of replication. Up to {@code maxInFlight} entries are in flight at once, but never two with
 * the same persistence id, so that a persistence id's commands are applied in the order Akka asked
 * for them: a retried entry could otherwise be overtaken by a later one, and the journal would
 * then take the earlier write for a resend.
 */
final class WriteLane {
  /** {@code persistenceId}: whose order it keeps (a write's first; a write batch's commands are per id anyway). */
  private record Pending(String persistenceId, JournalCommand command, CompletableFuture<JournalResult> done) {}

  private final long maxBatchBytes;
  private final int maxInFlight;
  private final Function<ByteString, CompletionStage<JournalResult>> send;
  /** Where the next entry is sent from: never on the completing thread's stack, however many complete at once. */
  private final Executor executor;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** The persistence ids of the entries in flight, with how many commands each has there. */
  private final Map<String, Integer> inFlightIds = new HashMap<>();
  private int inFlight;

  WriteLane(long maxBatchBytes, int maxInFlight, Function<ByteString, CompletionStage<JournalResult>> send,
      Executor executor) {
    this.maxBatchBytes = maxBatchBytes;
    this.maxInFlight = maxInFlight;
    this.send = send;
    this.executor = executor;
  }

  /** Queues {@code command}, which touches only {@code persistenceId}'s data. */
  CompletionStage<JournalResult> submit(String persistenceId, JournalCommand command) {
    CompletableFuture<JournalResult> done = new CompletableFuture<>();
    synchronized (this) {
      queue.add(new Pending(persistenceId, command, done));
    }
    sendWhatMay();
    return done;
  }

  private void sendWhatMay() {
    while (true) {
      List<Pending> entry;
      synchronized (this) {
        if (inFlight >= maxInFlight) return;
        entry = take();
        if (entry.isEmpty()) return;
        inFlight++;
        for (Pending p : entry) inFlightIds.merge(p.persistenceId(), 1, Integer::sum);
      }
      sendNow(entry);
    }
  }

  /**
   * The next entry's commands: one non-write command, or consecutive writes up to the byte limit;
   * it stops at the first command whose persistence id is in flight (or in this entry already).
   */
  private List<Pending> take() {
    List<Pending> out = new ArrayList<>();
    Set<String> ids = new java.util.HashSet<>();
    long bytes = 0;
    while (!queue.isEmpty()) {
      Pending next = queue.peek();
      if (inFlightIds.containsKey(next.persistenceId()) || ids.contains(next.persistenceId())) break;
      boolean write = next.command().hasWrite();
      if (!out.isEmpty() && (!write || bytes + next.command().getSerializedSize() > maxBatchBytes)) break;
      queue.poll();
      out.add(next);
      ids.add(next.persistenceId());
      bytes += next.command().getSerializedSize();
      if (!write) break;
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
      synchronized (this) {
        inFlight--;
        for (Pending p : entry) inFlightIds.computeIfPresent(p.persistenceId(), (id, n) -> n == 1 ? null : n - 1);
      }
      complete(entry, result, error);
      sendWhatMay();
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
