package io.chronik.raft.replica;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.chronik.raft.core.PendingReads;
import io.chronik.raft.replica.ReadProtocol.NoLeader;
import io.chronik.raft.replica.ReadProtocol.Read;
import io.chronik.raft.replica.ReadProtocol.ReadReply;
import io.chronik.raft.replica.ReadProtocol.ReadResult;
import io.chronik.raft.replica.ReadProtocol.ReadTimeout;
import io.chronik.raft.replica.ReadProtocol.RetryLater;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The reads a replica holds: each stays the original request (with its {@code replyTo}) until it
 * is served, fails or its timeout message arrives. Holds the serving side of ReadIndex (wait for
 * {@code appliedIndex >= readIndex}), the follower's ReadIndex requests to the leader, and the
 * reads forwarded to the leader under policy {@code none}.
 *
 * <p>Invariant: every read accepted gets exactly one reply, and its timer is cancelled then, so
 * the pending count always returns to zero.
 */
final class Reads {
  /** A read's deadline passed (private timer message). */
  record ReadTimedOut(long id) implements Command {}

  private record TimerKey(long id) {}

  /** The outstanding ReadIndex request got no answer in time (private timer message). */
  enum RetryReadIndex implements Command { INSTANCE }

  private static final Object RETRY_TIMER = "read-index-retry";

  private record Open(Read read, ReadPolicy policy, long startNanos) {}

  private final Replica r;
  private final Map<Long, Open> open = new HashMap<>();
  private final PendingReads<Long> awaitingApply = new PendingReads<>();
  final ReadMetrics metrics = new ReadMetrics();
  private long nextId = 1;

  // Follower ReadIndex: one request outstanding; reads arriving meanwhile wait for the next.
  private List<Long> nextBatch = new ArrayList<>();
  private List<Long> outstandingBatch = new ArrayList<>();
  private long outstandingRequest;
  private long outstandingTerm;
  private String outstandingLeader;
  private long nextRequestId = 1;
  private final Set<Long> forwarded = new HashSet<>();

  Reads(Replica replica) {
    this.r = replica;
  }

  /** Takes charge of {@code read}: from now on it ends in exactly one reply. */
  long accept(Read read) {
    long id = nextId++;
    open.put(id, new Open(read, read.policy().orElse(r.settings.defaultReadPolicy()), System.nanoTime()));
    r.timers.startSingleTimer(new TimerKey(id), new ReadTimedOut(id), r.settings.readIndexTimeout());
    return id;
  }

  ReadPolicy policyOf(long id) {
    return open.get(id).policy;
  }

  /**
   * Serve once the state machine has applied {@code readIndex} (and the read's own minimum
   * index). A replica too far behind says so at once instead of letting the read time out.
   */
  void serveAt(long id, long readIndex) {
    Open o = open.get(id);
    if (o == null) return;
    long index = Math.max(readIndex, o.read.minIndex());
    long lag = index - r.lastApplied;
    if (lag > r.settings.maxReadLag()) {
      metrics.lagging++;
      fail(id, new RetryLater(r.members.groupId(), "replica " + r.members.self() + " has applied " + r.lastApplied
          + " but the read needs " + index + " (" + lag + " entries behind, chronik.raft.max-read-lag = "
          + r.settings.maxReadLag() + "); retry or read from another replica", r.leaderId));
      return;
    }
    awaitingApply.add(index, id);
    onApplied();
  }

  /** The state machine applied more: serve every read whose index it reached. */
  void onApplied() {
    if (awaitingApply.size() == 0) return;
    for (long id : awaitingApply.ready(r.lastApplied)) {
      Open o = open.remove(id);
      if (o == null) continue; // timed out meanwhile
      r.timers.cancel(new TimerKey(id));
      o.read.replyTo().tell(new ReadResult(r.stateMachine.query(o.read.query()), r.lastApplied, r.members.self(),
          o.policy));
      metrics.served(o.policy, o.startNanos);
    }
  }

  void fail(long id, ReadReply reply) {
    Open o = open.remove(id);
    if (o == null) return;
    r.timers.cancel(new TimerKey(id));
    o.read.replyTo().tell(reply);
  }

  void failNoLeader(long id) {
    metrics.noLeader++;
    fail(id, new NoLeader(r.members.groupId(), r.leaderId));
  }

  Behavior<Command> onTimedOut(ReadTimedOut t) {
    Open o = open.remove(t.id());
    if (o != null) {
      metrics.timeouts++;
      o.read.replyTo().tell(new ReadTimeout(r.members.groupId(), r.settings.readIndexTimeout()));
    }
    return Behaviors.same();
  }

  // ---------------------------------------------------------------- follower: ReadIndex from the leader

  /** Thesis §6.4 on a follower: get a read index from the leader, then wait to apply it. */
  void requestReadIndex(long id) {
    if (r.leaderInContact().isEmpty()) {
      failNoLeader(id); // nobody to ask, or a leader gone silent: the caller retries, maybe elsewhere
      return;
    }
    nextBatch.add(id);
    maybeSendRequest();
  }

  private void maybeSendRequest() {
    if (outstandingRequest != 0 || nextBatch.isEmpty()) return;
    if (r.leaderInContact().isEmpty()) {
      List<Long> waiting = nextBatch;
      nextBatch = new ArrayList<>();
      for (long id : waiting) failNoLeader(id);
      return;
    }
    outstandingRequest = nextRequestId++;
    outstandingTerm = r.term;
    outstandingLeader = r.leaderInContact().get();
    outstandingBatch = nextBatch;
    nextBatch = new ArrayList<>();
    r.send(outstandingLeader, new ReadIndexRequest(r.members.groupId(), r.term, r.members.self(), outstandingRequest));
    r.timers.startSingleTimer(RETRY_TIMER, RetryReadIndex.INSTANCE, r.settings.heartbeatInterval().multipliedBy(2));
  }

  /**
   * The request or its answer was lost: ask again under a new id, for the reads of the lost
   * request and those that arrived since (all arrived before the new request, so one answer
   * serves them all; a late answer to the old id is ignored).
   */
  Behavior<Command> onRetryReadIndex(RetryReadIndex m) {
    if (outstandingRequest == 0) return Behaviors.same();
    List<Long> all = new ArrayList<>(outstandingBatch);
    all.addAll(nextBatch);
    nextBatch = all;
    outstandingBatch = new ArrayList<>();
    outstandingRequest = 0;
    maybeSendRequest();
    return Behaviors.same();
  }

  /**
   * Only the answer to the outstanding request, from the leader it was sent to, in the term it
   * was sent in, counts; anything else is stale and ignored.
   */
  void onReadIndexResponse(ReadIndexResponse resp) {
    if (resp.requestId() != outstandingRequest || !resp.from().equals(outstandingLeader)) return;
    List<Long> batch = outstandingBatch;
    outstandingBatch = new ArrayList<>();
    outstandingRequest = 0;
    r.timers.cancel(RETRY_TIMER);
    if (resp.ok() && resp.term() == outstandingTerm) {
      for (long id : batch) serveAt(id, resp.readIndex());
    } else {
      metrics.leaderChanged++;
      for (long id : batch) {
        fail(id, new RetryLater(r.members.groupId(), outstandingLeader + " could not give a read index (no longer leader)",
            Optional.empty()));
      }
    }
    maybeSendRequest();
  }

  // ---------------------------------------------------------------- follower: policy none

  void forward(long id) {
    if (r.leaderInContact().isEmpty()) {
      failNoLeader(id);
      return;
    }
    Open o = open.get(id);
    forwarded.add(id);
    metrics.forwarded++;
    r.send(r.leaderInContact().get(), new ForwardedRead(r.members.groupId(), r.term, r.members.self(), id, o.read.query(),
        o.read.minIndex()));
  }

  void onForwardedResult(ForwardedReadResult res) {
    if (!forwarded.remove(res.readId())) return;
    Open o = open.remove(res.readId());
    if (o == null) return;
    r.timers.cancel(new TimerKey(res.readId()));
    if (res.ok()) {
      o.read.replyTo().tell(new ReadResult(res.result(), res.appliedIndex(), res.from(), o.policy));
      metrics.served(o.policy, o.startNanos);
    } else {
      metrics.leaderChanged++;
      o.read.replyTo().tell(new RetryLater(r.members.groupId(), res.from() + " could not serve the forwarded read "
          + "(no longer leader)", Optional.empty()));
    }
  }

  // ---------------------------------------------------------------- leadership changes

  /**
   * The leader this replica relied on may be gone: reads still waiting for a read index or a
   * forwarded answer fail with a retryable error. Reads that already hold a valid read index keep
   * waiting for it to be applied — that index was confirmed by a leader after they arrived.
   */
  void onLeaderChange(String why) {
    List<Long> waiting = new ArrayList<>(outstandingBatch);
    waiting.addAll(nextBatch);
    waiting.addAll(forwarded);
    outstandingBatch = new ArrayList<>();
    nextBatch = new ArrayList<>();
    forwarded.clear();
    outstandingRequest = 0;
    if (!waiting.isEmpty()) metrics.leaderChanged++;
    for (long id : waiting) {
      fail(id, new RetryLater(r.members.groupId(), why + " while the read waited for the leader", r.leaderId));
    }
  }

  /** Storage restarts: nothing this replica holds can be served. */
  void failAll(String why) {
    for (long id : new ArrayList<>(open.keySet())) {
      fail(id, new RetryLater(r.members.groupId(), why, Optional.empty()));
    }
    outstandingBatch = new ArrayList<>();
    nextBatch = new ArrayList<>();
    forwarded.clear();
    outstandingRequest = 0;
  }

  int pending() {
    return open.size();
  }

  ReadMetrics.Snapshot snapshot() {
    long oldest = open.values().stream().mapToLong(o -> o.startNanos).min().orElse(System.nanoTime());
    return metrics.snapshot(open.size(), (System.nanoTime() - oldest) / 1_000_000);
  }
}
