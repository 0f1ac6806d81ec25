package io.chronik.raft.persistence;

import akka.actor.ExtendedActorSystem;
import akka.persistence.SelectedSnapshot;
import akka.persistence.SnapshotMetadata;
import akka.persistence.SnapshotSelectionCriteria;
import akka.persistence.snapshot.japi.SnapshotStore;
import com.typesafe.config.Config;
import io.chronik.raft.api.ChronikException;
import io.chronik.raft.persistence.proto.SnapshotCriteria;
import io.chronik.raft.persistence.proto.JournalCommand;
import io.chronik.raft.persistence.proto.JournalQuery;
import io.chronik.raft.persistence.proto.JournalResult;
import io.chronik.raft.persistence.proto.SnapshotRecord;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Akka Persistence's snapshot store on chronik ({@code akka.persistence.snapshot-store.plugin =
 * "chronik.persistence.snapshot-store"}): a snapshot is one Raft entry in its persistence id's
 * journal partition (so at most {@code chronik.raft.max-entry-bytes}), loaded with a {@code safe} read.
 */
public final class ChronikSnapshotStore extends SnapshotStore {
  private final JournalTopic topic;
  private final Payloads payloads;

  public ChronikSnapshotStore(Config config) {
    this.topic = new JournalTopic(context().system(), config);
    this.payloads = new Payloads((ExtendedActorSystem) context().system());
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return FutureConverters.asScala(ChronikJournal.attempt(() -> topic.query(persistenceId, JournalQuery.newBuilder()
        .setLoadSnapshot(SnapshotCriteria.newBuilder().setPersistenceId(persistenceId)
            .setMinSequenceNr(criteria.minSequenceNr()).setMaxSequenceNr(criteria.maxSequenceNr())
            .setMinTimestamp(criteria.minTimestamp()).setMaxTimestamp(criteria.maxTimestamp())).build())
        .thenApply(r -> {
          if (!r.getHasSnapshot()) return Optional.<SelectedSnapshot>empty();
          SnapshotRecord s = r.getSnapshot();
          SnapshotMetadata metadata = SnapshotMetadata.apply(persistenceId, s.getSequenceNr(), s.getTimestamp());
          if (s.hasMetadata()) metadata = metadata.withMetadata(payloads.deserialize(s.getMetadata()));
          return Optional.of(SelectedSnapshot.create(metadata, payloads.deserialize(s.getSnapshot())));
        })));
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    return FutureConverters.asScala(ChronikJournal.attempt(() -> {
      SnapshotRecord.Builder record = SnapshotRecord.newBuilder().setPersistenceId(metadata.persistenceId())
          .setSequenceNr(metadata.sequenceNr()).setTimestamp(metadata.timestamp());
      try {
        record.setSnapshot(payloads.serialize(snapshot));
        if (metadata.metadata().isDefined()) record.setMetadata(payloads.serialize(metadata.metadata().get()));
      } catch (java.io.NotSerializableException e) {
        return JournalTopic.failed(e);
      }
      return done(topic.command(metadata.persistenceId(), JournalCommand.newBuilder().setSaveSnapshot(record).build()));
    }));
  }

  /** One snapshot: its sequence number, and its timestamp unless that is 0 (Akka: "any"). */
  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    long ts = metadata.timestamp();
    return delete(metadata.persistenceId(), metadata.sequenceNr(), metadata.sequenceNr(), ts == 0 ? 0 : ts,
        ts == 0 ? Long.MAX_VALUE : ts);
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return delete(persistenceId, criteria.minSequenceNr(), criteria.maxSequenceNr(), criteria.minTimestamp(),
        criteria.maxTimestamp());
  }

  private Future<Void> delete(String persistenceId, long minSequenceNr, long maxSequenceNr, long minTimestamp,
      long maxTimestamp) {
    return FutureConverters.asScala(ChronikJournal.attempt(() -> done(topic.command(persistenceId,
        JournalCommand.newBuilder().setDeleteSnapshots(SnapshotCriteria.newBuilder().setPersistenceId(persistenceId)
            .setMinSequenceNr(minSequenceNr).setMaxSequenceNr(maxSequenceNr).setMinTimestamp(minTimestamp)
            .setMaxTimestamp(maxTimestamp)).build()))));
  }

  private static CompletionStage<Void> done(CompletionStage<JournalResult> result) {
    return result.thenAccept(r -> {
      if (!r.getError().isEmpty()) throw new ChronikException(ChronikException.Kind.INVALID_ARGUMENT, r.getError());
    });
  }
}
