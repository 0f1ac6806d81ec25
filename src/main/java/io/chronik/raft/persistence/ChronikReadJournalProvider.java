package io.chronik.raft.persistence;

import akka.NotUsed;
import akka.actor.ExtendedActorSystem;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.ReadJournalProvider;
import akka.stream.scaladsl.Source;
import com.typesafe.config.Config;

/** Akka Persistence Query's entry point for {@code chronik.persistence.query} (both DSLs). */
public final class ChronikReadJournalProvider implements ReadJournalProvider {
  private final ChronikReadJournal javadsl;

  public ChronikReadJournalProvider(ExtendedActorSystem system, Config config) {
    this.javadsl = new ChronikReadJournal(system, config);
  }

  @Override
  public ChronikReadJournal javadslReadJournal() {
    return javadsl;
  }

  @Override
  public akka.persistence.query.scaladsl.ReadJournal scaladslReadJournal() {
    return new Scaladsl(javadsl);
  }

  /** The same queries for Scala callers. */
  public static final class Scaladsl implements akka.persistence.query.scaladsl.PersistenceIdsQuery,
      akka.persistence.query.scaladsl.CurrentPersistenceIdsQuery, akka.persistence.query.scaladsl.EventsByPersistenceIdQuery,
      akka.persistence.query.scaladsl.CurrentEventsByPersistenceIdQuery, akka.persistence.query.scaladsl.EventsByTagQuery,
      akka.persistence.query.scaladsl.CurrentEventsByTagQuery {
    private final ChronikReadJournal j;

    Scaladsl(ChronikReadJournal j) {
      this.j = j;
    }

    @Override
    public Source<String, NotUsed> persistenceIds() {
      return j.persistenceIds().asScala();
    }

    @Override
    public Source<String, NotUsed> currentPersistenceIds() {
      return j.currentPersistenceIds().asScala();
    }

    @Override
    public Source<EventEnvelope, NotUsed> eventsByPersistenceId(String id, long from, long to) {
      return j.eventsByPersistenceId(id, from, to).asScala();
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String id, long from, long to) {
      return j.currentEventsByPersistenceId(id, from, to).asScala();
    }

    @Override
    public Source<EventEnvelope, NotUsed> eventsByTag(String tag, Offset offset) {
      return j.eventsByTag(tag, offset).asScala();
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByTag(String tag, Offset offset) {
      return j.currentEventsByTag(tag, offset).asScala();
    }
  }
}
