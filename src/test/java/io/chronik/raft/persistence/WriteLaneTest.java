package io.chronik.raft.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chronik.raft.persistence.proto.EventWrite;
import io.chronik.raft.persistence.proto.JournalCommand;
import io.chronik.raft.persistence.proto.JournalEvent;
import io.chronik.raft.persistence.proto.JournalResult;
import io.chronik.raft.persistence.proto.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class WriteLaneTest {
  /** One entry handed to Raft: the "id:seq" of each write in it, and its answer, which the test gives. */
  private record Sent(List<String> writes, CompletableFuture<JournalResult> answer) {}

  private final List<Sent> sent = new ArrayList<>();

  private WriteLane lane(int maxInFlight) {
    return new WriteLane(1 << 20, maxInFlight, this::send, Runnable::run);
  }

  private CompletionStage<JournalResult> send(ByteString entry) {
    List<String> writes = new ArrayList<>();
    try {
      for (EventWrite w : JournalCommand.parseFrom(entry).getWrite().getWritesList()) {
        writes.add(w.getPersistenceId() + ":" + w.getEvents(0).getSequenceNr());
      }
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
    // Never two entries in flight with one persistence id.
    for (Sent s : sent) {
      if (s.answer().isDone()) continue;
      for (String w : writes) {
        String id = w.split(":")[0];
        assertFalse(s.writes().stream().anyMatch(o -> o.startsWith(id + ":")), id + " is in flight twice: " + sent);
      }
    }
    Sent s = new Sent(writes, new CompletableFuture<>());
    sent.add(s);
    return s.answer();
  }

  private static JournalCommand write(String id, long sequenceNr) {
    return JournalCommand.newBuilder().setWrite(WriteBatch.newBuilder().addWrites(EventWrite.newBuilder()
        .setPersistenceId(id).setWriterUuid("w").addEvents(JournalEvent.newBuilder().setSequenceNr(sequenceNr)))).build();
  }

  private static JournalResult errors(String... errors) {
    return JournalResult.newBuilder().addAllWriteErrors(List.of(errors)).build();
  }

  @Test
  void writesQueuedWhileAnEntryIsInFlightGoTogetherAndEachHearsItsOwnOutcome() throws Exception {
    WriteLane lane = lane(1);
    CompletableFuture<JournalResult> a1 = lane.submit("a", write("a", 1)).toCompletableFuture();
    CompletableFuture<JournalResult> b1 = lane.submit("b", write("b", 1)).toCompletableFuture();
    CompletableFuture<JournalResult> a2 = lane.submit("a", write("a", 2)).toCompletableFuture();
    CompletableFuture<JournalResult> c1 = lane.submit("c", write("c", 1)).toCompletableFuture();
    assertEquals(List.of(List.of("a:1")), sent.stream().map(Sent::writes).toList());
    sent.get(0).answer().complete(errors(""));
    assertEquals(List.of("b:1", "a:2", "c:1"), sent.get(1).writes(), "the three queued writes in one entry");
    sent.get(1).answer().complete(errors("", "refused", ""));
    assertEquals(errors(""), a1.get());
    assertEquals(errors(""), b1.get());
    assertEquals(errors("refused"), a2.get());
    assertEquals(errors(""), c1.get());
  }

  @Test
  void aPersistenceIdsNextWriteWaitsUntilItsEarlierOneIsAnsweredWhateverElseIsInFlight() {
    WriteLane lane = lane(3);
    lane.submit("a", write("a", 1));
    lane.submit("b", write("b", 1));
    CompletableFuture<JournalResult> a2 = lane.submit("a", write("a", 2)).toCompletableFuture();
    lane.submit("c", write("c", 1));
    assertEquals(2, sent.size(), "a:2 waits for a:1, and c:1 behind it (the queue's order is kept)");
    sent.get(1).answer().complete(errors("")); // b:1 answered first: a is still in flight
    assertEquals(2, sent.size());
    sent.get(0).answer().completeExceptionally(new IllegalStateException("leader lost"));
    assertEquals(List.of("a:2", "c:1"), sent.get(2).writes());
    assertFalse(a2.isDone());
    sent.get(2).answer().complete(errors("", ""));
    assertTrue(a2.isDone());
  }

  @Test
  void aFailedEntryFailsEachOfItsCommandsAndTheLaneGoesOn() {
    WriteLane lane = lane(1);
    lane.submit("a", write("a", 1));
    CompletableFuture<JournalResult> b1 = lane.submit("b", write("b", 1)).toCompletableFuture();
    CompletableFuture<JournalResult> c1 = lane.submit("c", write("c", 1)).toCompletableFuture();
    sent.get(0).answer().complete(errors(""));
    sent.get(1).answer().completeExceptionally(new IllegalStateException("no leader"));
    assertTrue(b1.isCompletedExceptionally() && c1.isCompletedExceptionally());
    CompletableFuture<JournalResult> d1 = lane.submit("d", write("d", 1)).toCompletableFuture();
    sent.get(2).answer().complete(errors(""));
    assertEquals(errors(""), d1.join());
  }
}
