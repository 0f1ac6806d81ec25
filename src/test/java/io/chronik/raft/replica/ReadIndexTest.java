package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestInbox;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.ReadProtocol.NoLeader;
import io.chronik.raft.replica.ReadProtocol.ReadReply;
import io.chronik.raft.replica.ReadProtocol.ReadResult;
import io.chronik.raft.replica.ReadProtocol.ReadTimeout;
import io.chronik.raft.replica.ReadProtocol.RetryLater;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * ReadIndex (thesis §6.4) message by message: the ten scenarios of the original design, and the
 * leader rules naive implementations get wrong. The test plays the peers and the storage.
 */
class ReadIndexTest {
  private static final Set<String> THREE = Set.of("a", "b", "c");

  private static HardState hs(long term) {
    return HardState.newBuilder().setTerm(term).build();
  }

  private static LogEntry put(long index, long term, String value) {
    return LogEntry.newBuilder().setIndex(index).setTerm(term)
        .setCommand(KeyValueStateMachine.put("k", ByteString.copyFromUtf8(value))).build();
  }

  /** A follower of leader a in term 2 whose log holds {@code entries}, {@code committed} of them committed. */
  private static OneReplica follower(List<LogEntry> entries, long committed) {
    return follower(entries, committed, 1);
  }

  /** The same, as the incarnation whose randomness is {@code seed}. */
  private static OneReplica follower(List<LogEntry> entries, long committed, long seed) {
    OneReplica b = new OneReplica("b", THREE, hs(2), entries, seed);
    long last = entries.isEmpty() ? 0 : entries.get(entries.size() - 1).getIndex();
    long lastTerm = entries.isEmpty() ? 0 : entries.get(entries.size() - 1).getTerm();
    b.kit.run(Messages.append("a", 2).prev(last, lastTerm).commit(committed).build());
    b.persistAll();
    b.net.getAllReceived();
    return b;
  }

  private static List<LogEntry> log(int n) {
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 1; i <= n; i++) entries.add(put(i, 2, "v" + i));
    return entries;
  }

  private static ReadIndexRequest onlyRequest(OneReplica r) {
    List<RaftMessage> sent = r.sent();
    assertEquals(1, sent.size(), "exactly one ReadIndex request: " + sent);
    return assertInstanceOf(ReadIndexRequest.class, sent.get(0));
  }

  private static String value(ReadReply reply) {
    return KeyValueStateMachine.result(assertInstanceOf(ReadResult.class, reply).result()).getValue().toStringUtf8();
  }

  // 1
  @Test
  void creation() {
    OneReplica b = follower(List.of(), 0);
    ReplicaMetrics.Snapshot m = b.metrics();
    assertEquals(0, m.pending());
    assertEquals(0, m.readIndexRounds());
    assertEquals(0L, m.served().get(ReadPolicy.SAFE));
  }

  // 2
  @Test
  void leaderFastPathConfirmsWithOneQuorumRound() {
    OneReplica a = leaderWithCommittedNoOp(THREE, List.of("b"));
    TestInbox<ReadReply> reply = a.read(ReadPolicy.SAFE, 0);
    List<RaftMessage> round = a.sent();
    assertEquals(2, round.size(), "one heartbeat per peer");
    for (RaftMessage m : round) assertEquals(1, assertInstanceOf(AppendEntries.class, m).readSeq());
    assertFalse(reply.hasMessages(), "not before a quorum confirmed the round");
    a.kit.run(Messages.appendResponse("c", 2).accepted(2).seq(1).build());
    assertEquals("old", value(reply.receiveMessage()));
    assertEquals(1, a.metrics().readIndexRounds());
  }

  /** A leader a in term 2 of {@code voters} whose no-op (index 2) is committed; nothing sent since. */
  private static OneReplica leaderWithCommittedNoOp(Set<String> voters, List<String> ackers) {
    OneReplica a = new OneReplica("a", voters, hs(1), List.of(put(1, 1, "old")));
    a.campaignAndWin(ackers);
    a.persistAll();
    for (String peer : ackers) a.kit.run(Messages.appendResponse(peer, 2).accepted(2).build());
    a.net.getAllReceived();
    return a;
  }

  @Test
  void aLeaderOfThreeAnswersAFollowersRequestWithoutARound() {
    OneReplica a = leaderWithCommittedNoOp(THREE, List.of("b"));
    a.kit.run(new ReadIndexRequest("g", 2, "b", 7));
    // b's request in term 2 is the second acknowledgement: {a, b} is a majority of three.
    List<RaftMessage> sent = a.sent();
    assertEquals(1, sent.size(), "only the answer, no heartbeat round: " + sent);
    ReadIndexResponse answer = assertInstanceOf(ReadIndexResponse.class, sent.get(0));
    assertTrue(answer.ok());
    assertEquals(7, answer.requestId());
    assertEquals(2, answer.readIndex());
    assertEquals(0, a.metrics().readIndexRounds());
  }

  @Test
  void aLeaderOfFiveNeedsARoundBesidesTheRequest() {
    OneReplica a = leaderWithCommittedNoOp(Set.of("a", "b", "c", "d", "e"), List.of("b", "c"));
    a.kit.run(new ReadIndexRequest("g", 2, "b", 7));
    List<RaftMessage> round = a.sent();
    assertEquals(4, round.size(), "a heartbeat round to every peer: " + round);
    for (RaftMessage m : round) assertEquals(1, assertInstanceOf(AppendEntries.class, m).readSeq());
    // {a, b} is no majority of five: c and d could have elected a newer leader with e.
    a.kit.run(Messages.appendResponse("c", 2).accepted(2).seq(1).build());
    assertTrue(a.sent().isEmpty(), "a, the requester b and c are not enough: b's request is no acknowledgement");
    a.kit.run(Messages.appendResponse("d", 2).accepted(2).seq(1).build());
    List<RaftMessage> sent = a.sent();
    assertEquals(1, sent.size(), sent.toString());
    assertEquals(2, assertInstanceOf(ReadIndexResponse.class, sent.get(0)).readIndex());
  }

  // 3
  @Test
  void aFollowerWithNoLeaderFailsAtOnce() {
    OneReplica b = new OneReplica("b", THREE, hs(2), List.of());
    assertEquals(new NoLeader("g", Optional.empty()), b.read(ReadPolicy.SAFE, 0).receiveMessage());
    assertEquals(new NoLeader("g", Optional.empty()), b.read(ReadPolicy.NONE, 0).receiveMessage());
    assertTrue(b.sent().isEmpty());
    assertEquals(0, b.metrics().pending());
  }

  // 4
  @Test
  void safeToReadOnlyOnceAppliedReachesTheReadIndex() {
    // b holds 3 entries; the leader committed 5 (entries 4 and 5 still on their way to b).
    OneReplica b = follower(log(3), 3);
    TestInbox<ReadReply> reply = b.read(ReadPolicy.SAFE, 0);
    ReadIndexRequest req = onlyRequest(b);
    b.kit.run(Messages.readIndexResponse("a", 2).request(req.requestId()).confirmed(5).build());
    assertFalse(reply.hasMessages(), "applied 3 < read index 5: must wait");
    // The append was sent before the commit: its commit index (3) is older than the read index.
    b.kit.run(Messages.append("a", 2).prev(3, 2).entries(log(5).subList(3, 5)).commit(3).build());
    ReadResult r = assertInstanceOf(ReadResult.class, reply.receiveMessage());
    assertEquals("v5", KeyValueStateMachine.result(r.result()).getValue().toStringUtf8());
    assertTrue(r.appliedIndex() >= 5);
    assertEquals("b", r.servedBy());
  }

  // 5
  @Test
  void onlyTheAnswerToTheOutstandingRequestFromTheLeaderCounts() {
    OneReplica b = follower(log(2), 2);
    TestInbox<ReadReply> reply = b.read(ReadPolicy.SAFE, 0);
    ReadIndexRequest req = onlyRequest(b);
    b.kit.run(Messages.readIndexResponse("a", 2).request(req.requestId() + 7).confirmed(2).build());
    b.kit.run(Messages.readIndexResponse("c", 2).request(req.requestId()).confirmed(2).build());
    assertFalse(reply.hasMessages(), "wrong request id or not from the leader: ignored");
    b.kit.run(Messages.readIndexResponse("a", 2).request(req.requestId()).build());
    assertInstanceOf(RetryLater.class, reply.receiveMessage(), "the leader could not confirm: retryable error");

    TestInbox<ReadReply> second = b.read(ReadPolicy.SAFE, 0);
    ReadIndexRequest req2 = onlyRequest(b);
    b.kit.run(Messages.readIndexResponse("a", 2).request(req2.requestId()).confirmed(2).build());
    assertEquals("v2", value(second.receiveMessage()));
  }

  // 6
  @Test
  void aReadThatCannotCompleteTimesOut() {
    OneReplica b = follower(log(1), 1);
    TestInbox<ReadReply> reply = b.read(ReadPolicy.SAFE, 0);
    onlyRequest(b);
    assertEquals(1, b.fireReadTimeouts());
    assertInstanceOf(ReadTimeout.class, reply.receiveMessage());
    assertEquals(1, b.metrics().timeouts());
  }

  // 7
  @Test
  void readsGoOutAtOnceWhileThePipelineHasRoomAndShareTheNextRequestWhenFull() {
    OneReplica b = follower(log(3), 3);
    int depth = OneReplica.PIPELINE;
    List<TestInbox<ReadReply>> early = new ArrayList<>();
    for (int i = 0; i < depth; i++) early.add(b.read(ReadPolicy.SAFE, 0));
    List<ReadIndexRequest> out = b.sent().stream().map(m -> assertInstanceOf(ReadIndexRequest.class, m)).toList();
    assertEquals(depth, out.size(), "each read went out at once, in its own request: no wait for an earlier one");
    // Reads arriving while the pipeline is full wait for the next request: an answer to an
    // earlier one may predate them.
    List<TestInbox<ReadReply>> concurrent = new ArrayList<>();
    for (int i = 0; i < 12; i++) concurrent.add(b.read(ReadPolicy.SAFE, 0));
    assertTrue(b.sent().isEmpty(), "no request while the pipeline is full");
    b.kit.run(Messages.readIndexResponse("a", 2).request(out.get(0).requestId()).confirmed(3).build());
    assertEquals("v3", value(early.get(0).receiveMessage()));
    for (TestInbox<ReadReply> r : concurrent) assertFalse(r.hasMessages());
    ReadIndexRequest shared = onlyRequest(b);
    for (int i = 1; i < depth; i++) {
      b.kit.run(Messages.readIndexResponse("a", 2).request(out.get(i).requestId()).confirmed(3).build());
    }
    b.kit.run(Messages.readIndexResponse("a", 2).request(shared.requestId()).confirmed(3).build());
    for (TestInbox<ReadReply> r : early.subList(1, depth)) assertEquals("v3", value(r.receiveMessage()));
    for (TestInbox<ReadReply> r : concurrent) assertEquals("v3", value(r.receiveMessage()));
    assertTrue(b.sent().isEmpty(), "12 concurrent reads behind a full pipeline, one request");
  }

  @Test
  void readsQueuedInTheMailboxTogetherShareOneRequest() {
    OneReplica b = follower(log(3), 3);
    // Five reads reach the mailbox before the replica runs its own message that sends the request.
    List<TestInbox<ReadReply>> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) queued.add(b.arrive(ReadPolicy.SAFE, 0));
    assertTrue(b.sent().isEmpty(), "nothing is sent before the reads queued behind the first are taken in");
    b.runSelfMessages();
    ReadIndexRequest req = onlyRequest(b);
    b.kit.run(Messages.readIndexResponse("a", 2).request(req.requestId()).confirmed(3).build());
    for (TestInbox<ReadReply> r : queued) assertEquals("v3", value(r.receiveMessage()));
  }

  @Test
  void readsQueuedWhenTheLeaderChangesFailRetryably() {
    OneReplica b = follower(log(3), 3);
    TestInbox<ReadReply> queued = b.arrive(ReadPolicy.SAFE, 0);
    // c leads term 3 before the queued request goes out: the read is failed, retryably, at once.
    b.kit.run(Messages.append("c", 3).prev(3, 2).commit(3).build());
    b.persistAll();
    b.runSelfMessages();
    assertInstanceOf(RetryLater.class, queued.receiveMessage(), "retryable, not left to time out");
    assertTrue(b.sent().stream().noneMatch(m -> m instanceof ReadIndexRequest), "no request for a read that failed");
  }

  // 8
  @Test
  void readAfterWriteWaitsForTheWritersIndexWithoutALeaderRoundTrip() {
    OneReplica b = follower(log(7), 5);
    TestInbox<ReadReply> reply = b.read(ReadPolicy.UNSAFE, 7);
    assertFalse(reply.hasMessages(), "applied 5 < minimum index 7");
    b.kit.run(Messages.append("a", 2).prev(7, 2).commit(7).build());
    assertEquals("v7", value(reply.receiveMessage()));
    assertTrue(b.sent().stream().noneMatch(m -> m instanceof ReadIndexRequest), "no ReadIndex round trip");
  }

  // 9
  @Test
  void aTimedOutReadLeavesNothingBehind() {
    OneReplica b = follower(log(1), 1);
    TestInbox<ReadReply> reply = b.read(ReadPolicy.SAFE, 0);
    ReadIndexRequest req = onlyRequest(b);
    b.fireReadTimeouts();
    assertInstanceOf(ReadTimeout.class, reply.receiveMessage());
    assertEquals(0, b.metrics().pending());
    b.kit.run(Messages.readIndexResponse("a", 2).request(req.requestId()).confirmed(1).build());
    assertFalse(reply.hasMessages(), "no second answer after the timeout");
    assertEquals(0, b.metrics().pending());
  }

  // 10
  @Test
  void thePendingCountFollowsTheReads() {
    OneReplica b = follower(log(2), 2);
    b.read(ReadPolicy.SAFE, 0);
    b.read(ReadPolicy.SAFE, 0);
    b.read(ReadPolicy.UNSAFE, 9); // waits for index 9
    assertEquals(3, b.metrics().pending());
    List<RaftMessage> requests = b.sent();
    assertEquals(2, requests.size(), "two reads, two pipelined requests: " + requests);
    b.kit.run(Messages.readIndexResponse("a", 2).request(((ReadIndexRequest) requests.get(0)).requestId())
        .confirmed(2).build());
    assertEquals(2, b.metrics().pending());
    b.kit.run(Messages.readIndexResponse("a", 2).request(((ReadIndexRequest) requests.get(1)).requestId())
        .confirmed(2).build());
    assertEquals(1, b.metrics().pending());
    b.fireReadTimeouts();
    assertEquals(0, b.metrics().pending());
    ReplicaMetrics.Snapshot m = b.metrics();
    assertEquals(2L, m.served().get(ReadPolicy.SAFE));
    assertEquals(1, m.timeouts());
  }

  @Test
  void aNewLeaderServesNoReadBeforeItsNoOpCommits() {
    OneReplica a = new OneReplica("a", THREE, hs(1), List.of(put(1, 1, "old")));
    a.campaignAndWin(List.of("b"));
    a.persistAll();
    a.net.getAllReceived();
    TestInbox<ReadReply> reply = a.read(ReadPolicy.SAFE, 0);
    assertTrue(a.sent().isEmpty(), "no confirmation round before an entry of the term commits");
    a.kit.run(Messages.appendResponse("b", 2).accepted(1).build()); // b has 1@1 only: the no-op is not committed
    assertFalse(reply.hasMessages(), "the read waits; it is not rejected");
    a.kit.run(Messages.appendResponse("b", 2).accepted(2).build()); // the no-op commits
    List<RaftMessage> round = a.sent();
    assertTrue(round.stream().anyMatch(m -> m instanceof AppendEntries ae && ae.readSeq() == 1),
        "the deferred read goes out with the first round after the commit: " + round);
    a.kit.run(Messages.appendResponse("b", 2).accepted(2).seq(1).build());
    assertEquals("old", value(reply.receiveMessage()));
  }

  @Test
  void anAcknowledgementOfAnEarlierRoundNeverReleasesALaterRead() {
    OneReplica a = new OneReplica("a", THREE, hs(1), List.of());
    a.campaignAndWin(List.of("b"));
    a.persistAll();
    a.kit.run(Messages.appendResponse("b", 2).accepted(1).build());
    a.net.getAllReceived();
    TestInbox<ReadReply> first = a.read(ReadPolicy.SAFE, 0);
    a.kit.run(Messages.appendResponse("b", 2).accepted(1).seq(1).build());
    assertInstanceOf(ReadResult.class, first.receiveMessage());
    a.net.getAllReceived();
    TestInbox<ReadReply> second = a.read(ReadPolicy.SAFE, 0); // waits for round 2
    a.kit.run(Messages.appendResponse("b", 2).accepted(1).seq(1).build()); // duplicate of the round-1 ack
    a.kit.run(Messages.appendResponse("c", 2).accepted(1).seq(1).build()); // delayed round-1 ack
    assertFalse(second.hasMessages(), "acks of round 1 predate the read");
    a.kit.run(Messages.appendResponse("c", 2).accepted(1).seq(2).build());
    assertInstanceOf(ReadResult.class, second.receiveMessage());
  }

  @Test
  void anAcknowledgementOfARoundNeverSentIsIgnored() {
    OneReplica a = new OneReplica("a", THREE, hs(1), List.of());
    a.campaignAndWin(List.of("b"));
    a.persistAll();
    a.kit.run(Messages.appendResponse("b", 2).accepted(1).build());
    TestInbox<ReadReply> reply = a.read(ReadPolicy.SAFE, 0);
    a.kit.run(Messages.appendResponse("b", 2).accepted(1).seq(99).build());
    assertFalse(reply.hasMessages());
    assertEquals("leader", a.status().role(), "a malformed peer message does not crash the leader");
  }

  @Test
  void aLeaderThatStepsDownFailsTheReadsItHadNotConfirmed() {
    OneReplica a = new OneReplica("a", THREE, hs(1), List.of());
    a.campaignAndWin(List.of("b"));
    a.persistAll();
    a.kit.run(Messages.appendResponse("b", 2).accepted(1).build());
    TestInbox<ReadReply> reply = a.read(ReadPolicy.SAFE, 0);
    a.kit.run(Messages.append("c", 3).prev(1, 2).commit(1).build()); // a newer leader
    a.persistAll();
    assertInstanceOf(RetryLater.class, reply.receiveMessage());
    assertEquals(0, a.metrics().pending());
  }

  @Test
  void aLaggingReplicaRejectsFastInsteadOfWaiting() {
    OneReplica b = follower(log(1), 1);
    TestInbox<ReadReply> reply = b.read(ReadPolicy.SAFE, 0);
    ReadIndexRequest req = onlyRequest(b);
    b.kit.run(Messages.readIndexResponse("a", 2).request(req.requestId()).confirmed(50_000).build());
    RetryLater r = assertInstanceOf(RetryLater.class, reply.receiveMessage());
    assertTrue(r.reason().contains("max-read-lag"), r.reason());
    assertEquals(1, b.metrics().lagging());
  }

  // ---------------------------------------------------------------- regressions (issue 11)

  /**
   * A restarted follower in the same term, asking the same leader: an answer to the previous
   * incarnation's request — computed before writes this read must see — releases nothing. (Ids
   * used to restart at 1 in every incarnation, so the old answer matched the new request.)
   */
  @Test
  void anAnswerMeantForAnEarlierIncarnationReleasesNoReadOfThisOne() {
    OneReplica before = follower(log(3), 1, 11);
    before.read(ReadPolicy.SAFE, 0);
    ReadIndexRequest old = onlyRequest(before);

    OneReplica after = follower(log(3), 1, 12); // the same node, restarted
    TestInbox<ReadReply> reply = after.read(ReadPolicy.SAFE, 0);
    ReadIndexRequest current = onlyRequest(after);
    after.kit.run(Messages.readIndexResponse("a", 2).request(old.requestId()).confirmed(1).build());
    assertFalse(reply.hasMessages(), "the old incarnation's answer (read index 1) must not serve this read");
    after.kit.run(Messages.append("a", 2).prev(3, 2).commit(3).build());
    after.kit.run(Messages.readIndexResponse("a", 2).request(current.requestId()).confirmed(3).build());
    assertEquals("v3", value(reply.receiveMessage()));
  }

  /** The same for reads forwarded under {@code none}, and a result from a node the read was not sent to. */
  @Test
  void aForwardedReadIsAnsweredOnlyByItsOwnResultFromTheLeaderItWentTo() {
    OneReplica before = follower(log(3), 3, 21);
    before.read(ReadPolicy.NONE, 0);
    ForwardedRead old = assertInstanceOf(ForwardedRead.class, before.sent().get(0));

    OneReplica after = follower(log(3), 3, 22);
    TestInbox<ReadReply> reply = after.read(ReadPolicy.NONE, 0);
    ForwardedRead current = assertInstanceOf(ForwardedRead.class, after.sent().get(0));
    ByteString stale = KeyValueStateMachine.get("other");
    after.kit.run(Messages.forwardedReadResult("a", 2).read(old.readId()).served(stale, 1).build());
    after.kit.run(Messages.forwardedReadResult("c", 2).read(current.readId()).served(stale, 1).build());
    assertFalse(reply.hasMessages(), "another incarnation's result, or one from c, answers nothing");
    ByteString served = io.chronik.raft.statemachine.proto.KvResult.newBuilder().setFound(true)
        .setValue(ByteString.copyFromUtf8("v3")).build().toByteString();
    after.kit.run(Messages.forwardedReadResult("a", 2).read(current.readId()).served(served, 3).build());
    assertEquals("v3", value(reply.receiveMessage()));
  }

  /**
   * A read forwarded under {@code none} with a minimum index the leader has not applied yet waits
   * for it there, as a {@code safe} read waits on a follower — it used to fail at once, reported
   * as "no longer leader".
   */
  @Test
  void aForwardedReadWaitsOnTheLeaderForItsMinimumIndex() {
    OneReplica a = leaderWithCommittedNoOp(THREE, List.of("b"));
    TestInbox<ClientProtocol.ProposeReply> write = TestInbox.create();
    a.kit.run(new ClientProtocol.Propose(KeyValueStateMachine.put("k", ByteString.copyFromUtf8("new")), write.getRef()));
    a.persistAll();
    a.net.getAllReceived();
    a.kit.run(Messages.forwardedRead("b", 2).read(99, KeyValueStateMachine.get("k")).minIndex(3).build());
    assertTrue(a.sent().stream().noneMatch(m -> m instanceof ForwardedReadResult),
        "applied 2 < minimum index 3: the read waits");
    a.kit.run(Messages.appendResponse("b", 2).accepted(3).build()); // index 3 commits and applies
    ForwardedReadResult result = a.sent().stream().filter(m -> m instanceof ForwardedReadResult)
        .map(m -> (ForwardedReadResult) m).findFirst().orElseThrow();
    assertTrue(result.ok());
    assertEquals("new", KeyValueStateMachine.result(result.result()).getValue().toStringUtf8());
    assertEquals(0, a.metrics().leaderChanged(), "nothing was reported as a leader change");
  }

  /** A new term reaches the reads once, however many steps of the change report it. */
  @Test
  void aTermChangeIsReportedToTheReadsOnce() {
    OneReplica b = follower(log(1), 1);
    long before = b.metrics().leaderChangesSeen();
    b.kit.run(Messages.append("c", 3).prev(1, 2).commit(1).build()); // c leads term 3
    assertEquals(before + 1, b.metrics().leaderChangesSeen());
  }
}
