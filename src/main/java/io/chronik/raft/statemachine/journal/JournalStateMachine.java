package io.chronik.raft.statemachine.journal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.persistence.proto.DeleteEvents;
import io.chronik.raft.persistence.proto.SnapshotCriteria;
import io.chronik.raft.persistence.proto.EventRecord;
import io.chronik.raft.persistence.proto.EventWrite;
import io.chronik.raft.persistence.proto.JournalCommand;
import io.chronik.raft.persistence.proto.JournalEvent;
import io.chronik.raft.persistence.proto.JournalQuery;
import io.chronik.raft.persistence.proto.JournalReadResult;
import io.chronik.raft.persistence.proto.JournalRecord;
import io.chronik.raft.persistence.proto.JournalResult;
import io.chronik.raft.persistence.proto.PersistenceIdsQuery;
import io.chronik.raft.persistence.proto.TagQuery;
import io.chronik.raft.persistence.proto.ReplayQuery;
import io.chronik.raft.persistence.proto.SnapshotRecord;
import io.chronik.raft.persistence.proto.WriteBatch;
import io.chronik.raft.records.PartitionDir;
import io.chronik.raft.records.RecordLogFiles;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.StateSnapshot;
import io.chronik.raft.statemachine.StateMachine;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Persistent actors' events and snapshots (what chronik's Akka Persistence plugins store): every
 * write, deletion and snapshot is a record in segment files like a record log's, never deleted by
 * retention; the heap holds only an index (per persistence id: where each event is, its highest
 * sequence number, what is deleted; per snapshot: its sequence number, timestamp and offset).
 * The index is rebuilt from the files on restore, so a snapshot is the record log's checkpoint.
 *
 * <p>Writes are checked, deterministically: a persistence id's sequence numbers only grow. A
 * write at or below the highest one is a resend of a write already stored when the same writer
 * ({@code writerUuid}, one incarnation of the actor) made the last write and the resend ends at or
 * below the highest (answered as written, stored once); from any other writer it is refused, so
 * two live incarnations of one entity cannot interleave their events.
 */
public final class JournalStateMachine implements StateMachine {
  /** A read answers at most this much; the plugin asks again after the last event. */
  static final long MAX_READ_BYTES = 4L * 1024 * 1024;

  private final RecordLogFiles files;
  private final Map<String, EventIndex> events = new HashMap<>();
  private final Map<String, NavigableMap<Long, long[]>> snapshots = new HashMap<>();
  /** Per tag, the positions (record offsets) of its events, in order: 8 bytes per tagged event. */
  private final Map<String, PositionList> tags = new HashMap<>();
  /** Persistence ids in the order of their first event (what persistenceIds queries page through). */
  private final List<String> idsInOrder = new ArrayList<>();
  private long eventCount;

  /** Segments in memory (tests, in-process clusters). */
  public JournalStateMachine() {
    this(RecordLogStateMachine.DEFAULT_SEGMENT_BYTES, null);
  }

  private JournalStateMachine(int segmentBytes, PartitionDir dir) {
    this.files = new RecordLogFiles(0, Duration.ZERO, segmentBytes, dir);
  }

  /** Segment files under {@code root} (one partition's directory on this node). */
  public static JournalStateMachine onDisk(Path root, int segmentBytes) {
    return new JournalStateMachine(segmentBytes, new PartitionDir(root));
  }

  // ---------------------------------------------------------------- commands

  @Override
  public ByteString apply(long index, ByteString command) {
    JournalCommand cmd;
    try {
      cmd = JournalCommand.parseFrom(command);
    } catch (InvalidProtocolBufferException e) {
      return error("not a JournalCommand: " + e.getMessage());
    }
    return switch (cmd.getOpCase()) {
      case WRITE -> write(cmd.getWrite());
      case DELETE_EVENTS -> deleteEvents(cmd.getDeleteEvents());
      case SAVE_SNAPSHOT -> saveSnapshot(cmd.getSaveSnapshot());
      case DELETE_SNAPSHOTS -> deleteSnapshots(cmd.getDeleteSnapshots());
      case OP_NOT_SET -> error("JournalCommand has no operation set");
    };
  }

  private ByteString write(WriteBatch batch) {
    JournalResult.Builder result = JournalResult.newBuilder();
    List<ByteString> records = new ArrayList<>();
    long offset = files.highWatermark();
    for (EventWrite w : batch.getWritesList()) {
      String refused = refusal(w);
      if (refused == null && !isResend(w)) {
        EventIndex index = indexOf(w.getPersistenceId());
        for (JournalEvent e : w.getEventsList()) {
          records.add(JournalRecord.newBuilder().setEvent(EventRecord.newBuilder()
              .setPersistenceId(w.getPersistenceId()).setWriterUuid(w.getWriterUuid()).setEvent(e)).build().toByteString());
          indexEvent(index, e, offset++);
        }
        index.lastWriter = w.getWriterUuid();
      }
      result.addWriteErrors(refused == null ? "" : refused);
    }
    // One append for the batch: if it fails, the replica restores its snapshot and applies the
    // batch again, so the index entries added above are rebuilt with it.
    append(records, batch.getAppendTimeMs());
    return result.build().toByteString();
  }

  private EventIndex indexOf(String persistenceId) {
    EventIndex index = events.get(persistenceId);
    if (index == null) {
      index = new EventIndex();
      events.put(persistenceId, index);
      idsInOrder.add(persistenceId);
    }
    return index;
  }

  private void indexEvent(EventIndex index, JournalEvent e, long offset) {
    index.add(e.getSequenceNr(), offset);
    for (String tag : e.getTagsList()) tags.computeIfAbsent(tag, t -> new PositionList()).add(offset);
    eventCount++;
  }

  /** Why {@code w} cannot be stored, or null. */
  private String refusal(EventWrite w) {
    String id = w.getPersistenceId();
    if (id.isEmpty()) return "a write without a persistence id";
    if (w.getEventsCount() == 0) return "a write of persistence id " + id + " without events";
    long previous = 0;
    for (JournalEvent e : w.getEventsList()) {
      if (e.getSequenceNr() <= previous) {
        return "persistence id " + id + ": sequence numbers of one write must grow from 1, got " + e.getSequenceNr()
            + " after " + previous;
      }
      previous = e.getSequenceNr();
    }
    EventIndex index = events.get(id);
    long first = w.getEvents(0).getSequenceNr();
    if (index == null || first > index.highest || isResend(w)) return null;
    return "persistence id " + id + ": sequence number " + first + " is taken (its highest is " + index.highest
        + ", written by " + index.lastWriter + ", not by this writer " + w.getWriterUuid() + "): two incarnations of "
        + "one persistent actor are writing; stop the other one (a cluster singleton or sharding keeps it to one)";
  }

  private boolean isResend(EventWrite w) {
    EventIndex index = events.get(w.getPersistenceId());
    return index != null && w.getEventsCount() > 0 && w.getEvents(0).getSequenceNr() <= index.highest
        && index.lastWriter.equals(w.getWriterUuid())
        && w.getEvents(w.getEventsCount() - 1).getSequenceNr() <= index.highest;
  }

  private ByteString deleteEvents(DeleteEvents d) {
    EventIndex index = events.get(d.getPersistenceId());
    // Up to the highest now: events written later are not deleted by an earlier request.
    long to = index == null ? 0 : Math.min(d.getToSequenceNr(), index.highest);
    if (index != null && to > index.deletedTo) {
      append(List.of(JournalRecord.newBuilder().setDeleteEvents(d.toBuilder().setToSequenceNr(to)).build()
          .toByteString()), 0);
      deleteTo(index, to);
    }
    return JournalResult.getDefaultInstance().toByteString();
  }

  private void deleteTo(EventIndex index, long to) {
    int before = index.size();
    index.deleteTo(to);
    eventCount -= before - index.size();
  }

  private ByteString saveSnapshot(SnapshotRecord s) {
    if (s.getPersistenceId().isEmpty()) return error("a snapshot without a persistence id");
    long offset = files.highWatermark();
    append(List.of(JournalRecord.newBuilder().setSnapshot(s).build().toByteString()), 0);
    snapshots.computeIfAbsent(s.getPersistenceId(), id -> new TreeMap<>())
        .put(s.getSequenceNr(), new long[] {s.getTimestamp(), offset});
    return JournalResult.getDefaultInstance().toByteString();
  }

  private ByteString deleteSnapshots(SnapshotCriteria d) {
    NavigableMap<Long, long[]> of = snapshots.get(d.getPersistenceId());
    if (of != null && of.subMap(d.getMinSequenceNr(), true, d.getMaxSequenceNr(), true).values().stream()
        .anyMatch(s -> matches(s, d))) {
      append(List.of(JournalRecord.newBuilder().setDeleteSnapshots(d).build().toByteString()), 0);
      removeSnapshots(of, d);
    }
    return JournalResult.getDefaultInstance().toByteString();
  }

  private static boolean matches(long[] snapshot, SnapshotCriteria d) {
    return snapshot[0] >= d.getMinTimestamp() && snapshot[0] <= d.getMaxTimestamp();
  }

  private void removeSnapshots(NavigableMap<Long, long[]> of, SnapshotCriteria d) {
    of.subMap(d.getMinSequenceNr(), true, d.getMaxSequenceNr(), true).values().removeIf(s -> matches(s, d));
    if (of.isEmpty()) snapshots.remove(d.getPersistenceId());
  }

  private void append(List<ByteString> records, long appendTimeMs) {
    if (records.isEmpty()) return;
    try {
      files.append(records, appendTimeMs);
    } catch (IOException e) {
      // The environment's fault, not the command's: the replica stops and recovers (StateMachine).
      throw new UncheckedIOException("cannot write journal records to " + files + ": " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- queries

  @Override
  public ByteString query(ByteString query) {
    JournalQuery q;
    try {
      q = JournalQuery.parseFrom(query);
    } catch (InvalidProtocolBufferException e) {
      return readError("not a JournalQuery: " + e.getMessage());
    }
    try {
      return switch (q.getOpCase()) {
        case REPLAY -> replay(q.getReplay());
        case HIGHEST_SEQUENCE_NR -> JournalReadResult.newBuilder()
            .setHighestSequenceNr(highest(q.getHighestSequenceNr())).build().toByteString();
        case LOAD_SNAPSHOT -> loadSnapshot(q.getLoadSnapshot());
        case BY_TAG -> byTag(q.getByTag());
        case PERSISTENCE_IDS -> persistenceIds(q.getPersistenceIds());
        case OP_NOT_SET -> readError("JournalQuery has no operation set");
      };
    } catch (IOException e) {
      return JournalReadResult.newBuilder().setReplicaFault(true).setError("this replica cannot read its journal "
          + "files (" + e.getMessage() + "); read from another replica").build().toByteString();
    }
  }

  private long highest(String persistenceId) {
    EventIndex index = events.get(persistenceId);
    return index == null ? 0 : index.highest;
  }

  private ByteString replay(ReplayQuery r) throws IOException {
    JournalReadResult.Builder out = JournalReadResult.newBuilder().setHighestSequenceNr(highest(r.getPersistenceId()));
    EventIndex index = events.get(r.getPersistenceId());
    if (index == null || r.getMax() <= 0) return out.build().toByteString();
    long maxBytes = r.getMaxBytes() > 0 ? Math.min(r.getMaxBytes(), MAX_READ_BYTES) : MAX_READ_BYTES;
    long bytes = 0;
    for (int i = index.firstAtOrAfter(Math.max(r.getFromSequenceNr(), index.deletedTo + 1)); i < index.size(); i++) {
      if (index.sequenceNrAt(i) > r.getToSequenceNr()) break;
      if (out.getEventsCount() >= r.getMax() || (out.getEventsCount() > 0 && bytes >= maxBytes)) {
        out.setMore(true);
        break;
      }
      JournalRecord record = recordAt(index.offsetAt(i));
      bytes += record.getSerializedSize();
      out.addEvents(record.getEvent());
    }
    return out.build().toByteString();
  }

  /** Tagged events from a position; deleted ones are skipped (their positions still count). */
  private ByteString byTag(TagQuery q) throws IOException {
    JournalReadResult.Builder out = JournalReadResult.newBuilder().setNext(Math.max(0, q.getFromPosition()));
    PositionList positions = tags.get(q.getTag());
    if (positions == null || q.getMax() <= 0) return out.build().toByteString();
    long bytes = 0;
    for (int i = positions.firstAtOrAfter(q.getFromPosition()); i < positions.size(); i++) {
      if (out.getEventsCount() >= q.getMax() || (out.getEventsCount() > 0 && bytes >= MAX_READ_BYTES)) {
        out.setMore(true);
        break;
      }
      long position = positions.get(i);
      JournalRecord record = recordAt(position);
      out.setNext(position + 1);
      EventIndex index = events.get(record.getEvent().getPersistenceId());
      if (index != null && record.getEvent().getEvent().getSequenceNr() <= index.deletedTo) continue;
      bytes += record.getSerializedSize();
      out.addEvents(record.getEvent()).addPositions(position);
    }
    return out.build().toByteString();
  }

  private ByteString persistenceIds(PersistenceIdsQuery q) {
    int from = (int) Math.min(Math.max(0, q.getFromOrdinal()), idsInOrder.size());
    int to = (int) Math.min(idsInOrder.size(), from + Math.max(0, Math.min(q.getMax(), 100_000)));
    return JournalReadResult.newBuilder().addAllPersistenceIds(idsInOrder.subList(from, to)).setNext(to)
        .setMore(to < idsInOrder.size()).build().toByteString();
  }

  private ByteString loadSnapshot(SnapshotCriteria q) throws IOException {
    JournalReadResult.Builder out = JournalReadResult.newBuilder();
    NavigableMap<Long, long[]> of = snapshots.get(q.getPersistenceId());
    if (of == null || q.getMinSequenceNr() > q.getMaxSequenceNr()) return out.build().toByteString();
    for (long[] s : of.subMap(q.getMinSequenceNr(), true, q.getMaxSequenceNr(), true).descendingMap().values()) {
      if (s[0] >= q.getMinTimestamp() && s[0] <= q.getMaxTimestamp()) {
        return out.setHasSnapshot(true).setSnapshot(recordAt(s[1]).getSnapshot()).build().toByteString();
      }
    }
    return out.build().toByteString();
  }

  private JournalRecord recordAt(long offset) throws IOException {
    ByteString[] found = new ByteString[1];
    files.read(offset, r -> {
      if (found[0] != null) return false;
      found[0] = r;
      return true;
    });
    if (found[0] == null) throw new IOException("no record at offset " + offset + " of " + files);
    return JournalRecord.parseFrom(found[0]);
  }

  // ---------------------------------------------------------------- snapshots of the machine

  /** The segment files' checkpoint: the index is not in it, {@link #restore} rebuilds it from the files. */
  @Override
  public StateSnapshot snapshot() {
    return files.snapshot(ByteString.EMPTY);
  }

  @Override
  public void restore(InputStream in) throws IOException {
    files.restore(in);
    long[] offset = {files.startOffset()};
    IOException[] bad = new IOException[1];
    files.read(offset[0], r -> {
      try {
        index(JournalRecord.parseFrom(r), offset[0]++);
        return true;
      } catch (InvalidProtocolBufferException e) {
        bad[0] = new IOException("journal record at offset " + (offset[0] - 1) + " of " + files + " does not parse: "
            + e.getMessage(), e);
        return false;
      }
    });
    if (bad[0] != null) throw bad[0];
  }

  /** What applying the command that wrote {@code record} did to the index. */
  private void index(JournalRecord record, long offset) {
    switch (record.getKindCase()) {
      case EVENT -> {
        EventRecord e = record.getEvent();
        EventIndex index = indexOf(e.getPersistenceId());
        indexEvent(index, e.getEvent(), offset);
        index.lastWriter = e.getWriterUuid();
      }
      case DELETE_EVENTS -> {
        EventIndex index = events.get(record.getDeleteEvents().getPersistenceId());
        if (index != null) deleteTo(index, record.getDeleteEvents().getToSequenceNr());
      }
      case SNAPSHOT -> snapshots.computeIfAbsent(record.getSnapshot().getPersistenceId(), id -> new TreeMap<>())
          .put(record.getSnapshot().getSequenceNr(), new long[] {record.getSnapshot().getTimestamp(), offset});
      case DELETE_SNAPSHOTS -> {
        NavigableMap<Long, long[]> of = snapshots.get(record.getDeleteSnapshots().getPersistenceId());
        if (of != null) removeSnapshots(of, record.getDeleteSnapshots());
      }
      case KIND_NOT_SET -> {
        // written by a newer version: nothing this one knows to index
      }
    }
  }

  @Override
  public SnapshotData transferable(SnapshotData stored) throws IOException {
    return files.transferable(stored);
  }

  @Override
  public void close() {
    files.close();
  }

  @Override
  public Map<String, Long> describe() {
    return Map.of("persistence_ids", (long) events.size(), "events", eventCount, "tags", (long) tags.size(),
        "log_bytes", files.bytes(), "segments", (long) files.segmentCount());
  }

  private static ByteString error(String message) {
    return JournalResult.newBuilder().setError(message).build().toByteString();
  }

  private static ByteString readError(String message) {
    return JournalReadResult.newBuilder().setError(message).build().toByteString();
  }
}
