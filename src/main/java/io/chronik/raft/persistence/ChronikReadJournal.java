package io.chronik.raft.persistence;

import akka.NotUsed;
import akka.actor.ExtendedActorSystem;
import akka.japi.Pair;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.NoOffset;
import akka.persistence.query.Offset;
import akka.persistence.query.Sequence;
import akka.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import akka.persistence.query.javadsl.CurrentEventsByTagQuery;
import akka.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import akka.persistence.query.javadsl.EventsByPersistenceIdQuery;
import akka.persistence.query.javadsl.EventsByTagQuery;
import akka.persistence.query.javadsl.PersistenceIdsQuery;
import akka.stream.javadsl.Source;
import com.typesafe.config.Config;
import io.chronik.raft.api.ChronikException;
import io.chronik.raft.persistence.proto.EventRecord;
import io.chronik.raft.persistence.proto.JournalEvent;
import io.chronik.raft.persistence.proto.JournalQuery;
import io.chronik.raft.persistence.proto.ReplayQuery;
import io.chronik.raft.persistence.proto.TagQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Akka Persistence Query on chronik ({@code PersistenceQuery.get(system).getReadJournalFor(
 * ChronikReadJournal.class, ChronikReadJournal.IDENTIFIER)}). Every query is a sequence of
 * {@code safe} reads of the local replica when this node hosts one, so projections spread over
 * the replicas and still see every acknowledged event. A live query, once caught up, asks with
 * the partition's last applied index + 1, which the replica holds until it applies another
 * entry: new events arrive as they are applied, without a polling timer.
 *
 * <p>{@code eventsByPersistenceId}: offsets are {@link Sequence}s of the sequence number.
 * {@code eventsByTag}: offsets are {@link PartitionOffsets} (a position per journal partition),
 * events of one persistence id in order, partitions merged.
 */
public final class ChronikReadJournal implements PersistenceIdsQuery, CurrentPersistenceIdsQuery,
    EventsByPersistenceIdQuery, CurrentEventsByPersistenceIdQuery, EventsByTagQuery, CurrentEventsByTagQuery {
  public static final String IDENTIFIER = "chronik.persistence.query";

  private final JournalTopic topic;
  private final Payloads payloads;
  private final int pageSize;

  ChronikReadJournal(ExtendedActorSystem system, Config config) {
    this.topic = new JournalTopic(system, config);
    this.payloads = new Payloads(system);
    this.pageSize = config.getInt("page-size");
  }

  // ---------------------------------------------------------------- persistence ids

  @Override
  public Source<String, NotUsed> persistenceIds() {
    return persistenceIds(true);
  }

  @Override
  public Source<String, NotUsed> currentPersistenceIds() {
    return persistenceIds(false);
  }

  private Source<String, NotUsed> persistenceIds(boolean live) {
    return Source.lazySource(() -> {
      int partitions = topic.partitions();
      return Source.range(0, partitions - 1).flatMapMerge(partitions, p -> follow(0, live, (from, minIndex) ->
          topic.query(p, JournalQuery.newBuilder().setPersistenceIds(io.chronik.raft.persistence.proto
              .PersistenceIdsQuery.newBuilder().setFromOrdinal(from).setMax(pageSize)).build(), minIndex)
              .thenApply(a -> new Page<>(a.result().getPersistenceIdsList(), a.result().getNext(), a.result().getMore(),
                  a.appliedIndex()))));
    }).mapMaterializedValue(m -> NotUsed.getInstance());
  }

  // ---------------------------------------------------------------- by persistence id

  @Override
  public Source<EventEnvelope, NotUsed> eventsByPersistenceId(String persistenceId, long fromSequenceNr,
      long toSequenceNr) {
    return byPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, true);
  }

  @Override
  public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long fromSequenceNr,
      long toSequenceNr) {
    return byPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, false);
  }

  private Source<EventEnvelope, NotUsed> byPersistenceId(String persistenceId, long from, long to, boolean live) {
    return Source.lazySource(() -> follow(Math.max(1, from), live, (next, minIndex) -> {
      int partition = topic.partitionOf(persistenceId);
      return topic.query(partition, JournalQuery.newBuilder().setReplay(ReplayQuery.newBuilder()
          .setPersistenceId(persistenceId).setFromSequenceNr(next).setToSequenceNr(to).setMax(pageSize)).build(), minIndex)
          .thenApply(a -> {
            List<EventRecord> events = a.result().getEventsList();
            long after = events.isEmpty() ? next : events.get(events.size() - 1).getEvent().getSequenceNr() + 1;
            // Past `to`, nothing more can come: a live query ends there too.
            boolean ended = after > to || (events.isEmpty() && a.result().getHighestSequenceNr() >= to);
            return new Page<>(events, after, a.result().getMore(), a.appliedIndex(), ended);
          });
    }).map(e -> envelope(e, Offset.sequence(e.getEvent().getSequenceNr()))))
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  // ---------------------------------------------------------------- by tag

  @Override
  public Source<EventEnvelope, NotUsed> eventsByTag(String tag, Offset offset) {
    return byTag(tag, offset, true);
  }

  @Override
  public Source<EventEnvelope, NotUsed> currentEventsByTag(String tag, Offset offset) {
    return byTag(tag, offset, false);
  }

  private record Positioned(int partition, long position, EventRecord event) {}

  private Source<EventEnvelope, NotUsed> byTag(String tag, Offset offset, boolean live) {
    return Source.lazySource(() -> {
      int partitions = topic.partitions();
      PartitionOffsets start = startOf(offset, partitions);
      Source<Positioned, NotUsed> merged = Source.range(0, partitions - 1).flatMapMerge(partitions, p ->
          follow(start.next(p), live, (from, minIndex) -> topic.query(p, JournalQuery.newBuilder().setByTag(TagQuery
              .newBuilder().setTag(tag).setFromPosition(from).setMax(pageSize)).build(), minIndex).thenApply(a -> {
                List<Positioned> out = new ArrayList<>();
                for (int i = 0; i < a.result().getEventsCount(); i++) {
                  out.add(new Positioned(p, a.result().getPositions(i), a.result().getEvents(i)));
                }
                return new Page<>(out, a.result().getNext(), a.result().getMore(), a.appliedIndex());
              })));
      // Each envelope's offset covers it and everything the stream gave before it.
      return merged.statefulMapConcat(() -> {
        PartitionOffsets[] at = {start};
        return e -> {
          at[0] = at[0].with(e.partition(), e.position() + 1);
          return List.of(envelope(e.event(), at[0]));
        };
      });
    }).mapMaterializedValue(m -> NotUsed.getInstance());
  }

  private static PartitionOffsets startOf(Offset offset, int partitions) {
    if (offset == null || offset == NoOffset.getInstance() || (offset instanceof Sequence s && s.value() == 0)) {
      return PartitionOffsets.start(partitions);
    }
    if (offset instanceof PartitionOffsets p) {
      if (p.partitions() != partitions) {
        throw new IllegalArgumentException("offset " + p + " is for a journal topic of " + p.partitions()
            + " partitions; this one has " + partitions);
      }
      return p;
    }
    throw new IllegalArgumentException("eventsByTag on chronik takes NoOffset or a PartitionOffsets (as an earlier "
        + "envelope gave), not " + offset);
  }

  private EventEnvelope envelope(EventRecord record, Offset offset) {
    JournalEvent e = record.getEvent();
    scala.Option<Object> metadata = e.hasMetadata() ? scala.Option.apply(payloads.deserialize(e.getMetadata()))
        : scala.Option.empty();
    return new EventEnvelope(offset, record.getPersistenceId(), e.getSequenceNr(), payloads.deserialize(e.getPayload()),
        e.getTimestamp(), metadata);
  }

  // ---------------------------------------------------------------- paging and long polls

  /** One answer: its items, where the next page starts, whether more is there now, and the applied index it saw. */
  private record Page<T>(List<T> items, long next, boolean more, long appliedIndex, boolean ended) {
    Page(List<T> items, long next, boolean more, long appliedIndex) {
      this(items, next, more, appliedIndex, false);
    }
  }

  private interface Pager<T> {
    CompletionStage<Page<T>> page(long from, long minIndex);
  }

  /** Where a follow stands: the next page's start, the index a long poll waits for (0: none), done. */
  private record Cursor(long from, long minIndex, boolean done) {}

  /**
   * Pages one after another from {@code from}. Caught up, a current query ends; a live one asks
   * again with the applied index + 1 (held by the replica until another entry is applied), and
   * asks again when that times out or the partition is briefly unavailable.
   */
  private static <T> Source<T, NotUsed> follow(long from, boolean live, Pager<T> pager) {
    return Source.unfoldAsync(new Cursor(from, 0, false), cursor -> {
      if (cursor.done()) return CompletableFuture.completedFuture(Optional.<Pair<Cursor, List<T>>>empty());
      return pager.page(cursor.from(), cursor.minIndex()).handle((page, error) -> {
        if (error != null) {
          Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
              ? error.getCause() : error;
          if (live && cause instanceof ChronikException c && (c.kind() == ChronikException.Kind.TIMEOUT
              || c.kind() == ChronikException.Kind.UNAVAILABLE)) {
            return CompletableFuture.supplyAsync(() -> Optional.of(Pair.create(cursor, List.<T>of())),
                CompletableFuture.delayedExecutor(c.kind() == ChronikException.Kind.TIMEOUT ? 0 : 200, TimeUnit.MILLISECONDS));
          }
          return CompletableFuture.<Optional<Pair<Cursor, List<T>>>>failedFuture(cause);
        }
        boolean caughtUp = !page.more();
        Cursor next = new Cursor(page.next(), caughtUp ? page.appliedIndex() + 1 : 0,
            page.ended() || (caughtUp && !live));
        return CompletableFuture.completedFuture(Optional.of(Pair.create(next, page.items())));
      }).thenCompose(x -> x);
    }).mapConcat(items -> items);
  }
}
