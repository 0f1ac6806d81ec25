package io.chronik.raft.persistence;

import akka.actor.ActorRef;
import akka.actor.ExtendedActorSystem;
import akka.persistence.AtomicWrite;
import akka.persistence.PersistentRepr;
import akka.persistence.journal.Tagged;
import akka.persistence.journal.japi.AsyncWriteJournal;
import com.typesafe.config.Config;
import io.chronik.raft.api.ChronikException;
import io.chronik.raft.persistence.proto.DeleteEvents;
import io.chronik.raft.persistence.proto.EventRecord;
import io.chronik.raft.persistence.proto.EventWrite;
import io.chronik.raft.persistence.proto.JournalCommand;
import io.chronik.raft.persistence.proto.JournalEvent;
import io.chronik.raft.persistence.proto.JournalQuery;
import io.chronik.raft.persistence.proto.JournalReadResult;
import io.chronik.raft.persistence.proto.ReplayQuery;
import io.chronik.raft.persistence.proto.WriteBatch;
import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * Akka Persistence's journal on chronik ({@code akka.persistence.journal.plugin =
 * "chronik.persistence.journal"}): each AtomicWrite is stored whole in one Raft entry of its
 * persistence id's journal partition, acknowledged once a majority has it on disk; replays and
 * highest sequence numbers are {@code safe} reads, served by the nearest replica with every
 * acknowledged event in them, wherever the entity recovers.
 */
public final class ChronikJournal extends AsyncWriteJournal {
  private final JournalTopic topic;
  private final Payloads payloads;
  private final int replayBatch;
  private final PrefetchedPages prefetched = new PrefetchedPages(1000);

  public ChronikJournal(Config config) {
    this.topic = new JournalTopic(context().system(), config);
    this.payloads = new Payloads((ExtendedActorSystem) context().system());
    this.replayBatch = config.getInt("replay-batch-size");
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    long now = System.currentTimeMillis();
    List<CompletableFuture<Optional<Exception>>> outcomes = new ArrayList<>();
    for (AtomicWrite write : messages) {
      EventWrite encoded;
      try {
        encoded = encode(write);
      } catch (NotSerializableException e) {
        // Rejected: nothing of this AtomicWrite is stored, and the actor hears why.
        outcomes.add(CompletableFuture.completedFuture(Optional.of(e)));
        continue;
      }
      prefetched.forget(write.persistenceId());
      // Each AtomicWrite is queued on its own; its partition's lane puts the queued ones in one entry.
      outcomes.add(attempt(() -> topic.command(write.persistenceId(), JournalCommand.newBuilder()
          .setWrite(WriteBatch.newBuilder().setAppendTimeMs(now).addWrites(encoded)).build()))
          .thenApply(result -> {
            if (!result.getError().isEmpty()) throw new ChronikException(ChronikException.Kind.INVALID_ARGUMENT, result.getError());
            String error = result.getWriteErrorsCount() > 0 ? result.getWriteErrors(0) : "no answer for this write";
            return error.isEmpty() ? Optional.<Exception>empty() : Optional.<Exception>of(new IllegalStateException(error));
          }).toCompletableFuture());
    }
    CompletionStage<Iterable<Optional<Exception>>> all = CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
        .thenApply(v -> outcomes.stream().map(CompletableFuture::join).toList());
    return FutureConverters.asScala(all);
  }

  private EventWrite encode(AtomicWrite write) throws NotSerializableException {
    EventWrite.Builder out = EventWrite.newBuilder().setPersistenceId(write.persistenceId());
    for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
      out.setWriterUuid(repr.writerUuid());
      Object payload = repr.payload();
      JournalEvent.Builder event = JournalEvent.newBuilder().setSequenceNr(repr.sequenceNr())
          .setEventManifest(repr.manifest()).setTimestamp(repr.timestamp());
      if (payload instanceof Tagged tagged) {
        payload = tagged.payload();
        event.addAllTags(CollectionConverters.asJava(tagged.tags()));
      }
      event.setPayload(payloads.serialize(payload));
      if (repr.metadata().isDefined()) event.setMetadata(payloads.serialize(repr.metadata().get()));
      out.addEvents(event);
    }
    return out.build();
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    prefetched.forget(persistenceId);
    return FutureConverters.asScala(attempt(() -> topic.command(persistenceId, JournalCommand.newBuilder()
        .setDeleteEvents(DeleteEvents.newBuilder().setPersistenceId(persistenceId).setToSequenceNr(toSequenceNr))
        .build()).thenAccept(result -> {
          if (!result.getError().isEmpty()) throw new ChronikException(ChronikException.Kind.INVALID_ARGUMENT, result.getError());
        })));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
      Consumer<PersistentRepr> replayCallback) {
    long from = Math.max(1, fromSequenceNr);
    JournalReadResult first = prefetched.take(persistenceId, from);
    if (first == null) {
      return FutureConverters.asScala(attempt(() -> replayFrom(persistenceId, from, toSequenceNr, max, replayCallback)));
    }
    return FutureConverters.asScala(attempt(() -> replayPage(persistenceId, from, toSequenceNr, max, replayCallback,
        first)));
  }

  /** Page by page: each a safe read of at most replay-batch-size events, the next one after the last. */
  private CompletionStage<Void> replayFrom(String persistenceId, long from, long to, long max,
      Consumer<PersistentRepr> callback) {
    if (max <= 0 || from > to) return CompletableFuture.completedFuture(null);
    return topic.query(persistenceId, replayQuery(persistenceId, from, to, Math.min(max, replayBatch)))
        .thenCompose(page -> replayPage(persistenceId, from, to, max, callback, page));
  }

  /** Hands over {@code page}'s events within the bounds, then reads on if it had more. */
  private CompletionStage<Void> replayPage(String persistenceId, long from, long to, long max,
      Consumer<PersistentRepr> callback, JournalReadResult page) {
    long given = 0;
    long last = from - 1;
    for (EventRecord e : page.getEventsList()) {
      if (given >= max || e.getEvent().getSequenceNr() > to) return CompletableFuture.completedFuture(null);
      callback.accept(decode(persistenceId, e));
      last = e.getEvent().getSequenceNr();
      given++;
    }
    return page.getMore() && given < max && last < Long.MAX_VALUE
        ? replayFrom(persistenceId, last + 1, to, max - given, callback)
        : CompletableFuture.completedFuture(null);
  }

  private static JournalQuery replayQuery(String persistenceId, long from, long to, long max) {
    return JournalQuery.newBuilder().setReplay(ReplayQuery.newBuilder().setPersistenceId(persistenceId)
        .setFromSequenceNr(from).setToSequenceNr(to).setMax(max)).build();
  }

  private PersistentRepr decode(String persistenceId, EventRecord record) {
    JournalEvent e = record.getEvent();
    PersistentRepr repr = PersistentRepr.apply(payloads.deserialize(e.getPayload()), e.getSequenceNr(), persistenceId,
        e.getEventManifest(), false, ActorRef.noSender(), record.getWriterUuid()).withTimestamp(e.getTimestamp());
    return e.hasMetadata() ? repr.withMetadata(payloads.deserialize(e.getMetadata())) : repr;
  }

  /**
   * Akka asks for the highest sequence number from {@code fromSequenceNr} just before it replays from
   * {@code fromSequenceNr + 1}: one safe read answers both, the highest number and the replay's first
   * page (kept for that replay), so a recovery costs one read round fewer.
   */
  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    long replayFrom = Math.max(1, fromSequenceNr + 1);
    return FutureConverters.asScala(attempt(() -> topic.query(persistenceId,
        replayQuery(persistenceId, replayFrom, Long.MAX_VALUE, replayBatch)).thenApply(page -> {
          if (page.getEventsCount() > 0) prefetched.put(persistenceId, replayFrom, page);
          return page.getHighestSequenceNr();
        })));
  }

  /** A call that fails before it starts (the topic is unknown) fails its future instead of the actor. */
  static <T> CompletionStage<T> attempt(java.util.function.Supplier<CompletionStage<T>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return JournalTopic.failed(e);
    }
  }
}
