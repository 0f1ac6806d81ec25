package io.chronik.raft.replica;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.google.protobuf.ByteString;
import io.chronik.raft.core.PendingReads;
import io.chronik.raft.core.ReadIndexRequests;
import io.chronik.raft.core.ReadRules;
import io.chronik.raft.replica.ReadProtocol.NoLeader;
import io.chronik.raft.replica.ReadProtocol.Read;
import io.chronik.raft.replica.ReadProtocol.ReadReply;
import io.chronik.raft.replica.ReadProtocol.ReadResult;
import io.chronik.raft.replica.ReadProtocol.ReadTimeout;
import io.chronik.raft.replica.ReadProtocol.RetryLater;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The reads a replica holds, each until it is answered exactly once: served, failed, or timed out.
 *
 * <p>One serving path for every policy and role: a read is served when this replica's applied
 * index reaches max(read index, the read's minimum index) — {@link #serveAt}. Where the read index
 * comes from differs: 0 for {@code unsafe}; a leader's confirmation ({@link LeaderReads}) for reads
 * a leader holds, its own or forwarded to it under {@code none}; the leader's answer to a
 * ReadIndex request ({@link ReadIndexRequests}) for {@code safe} reads on a follower.
 *
 * <p>Ids on the wire (ReadIndex requests, forwarded reads) start at a random number in each
 * incarnation, and answers count only from the leader, and in the term, they were sent to.
 */
final class Reads {
  /** A read's deadline passed (private timer message). */
  record ReadTimedOut(long id) implements Command {}

  private record TimerKey(long id) {}

  /** Ticks while ReadIndex requests are outstanding: one unanswered for a whole tick is sent again. */
  enum RetryReadIndex implements Command { INSTANCE }

  private static final Object RETRY_TIMER = "read-index-retry";

  /**
   * Sends the ReadIndex request for the reads that arrived since the last one (a self-message:
   * it runs after the reads already in the mailbox, so that they go in one request).
   */
  enum SendReadIndex implements Command { INSTANCE }

  /** A {@link SendReadIndex} is in the mailbox: reads arriving before it runs go with it. */
  private boolean sendQueued;

  /** A read being held; {@code local} when its reply goes to a client of this replica (it counts as served here). */
  private record Open(ByteString query, long minIndex, ReadPolicy policy, Consumer<ReadReply> reply, boolean local,
      long startNanos) {}

  /** Where a read forwarded under policy {@code none} went. */
  private record Forwarded(String leader, long term) {}

  private final Replica r;
  private final ReadRules rules;
  private final Map<Long, Open> open = new HashMap<>();
  private final PendingReads<Long> awaitingApply;
  private final ReplicaMetrics metrics;
  private long nextId;
  private final ReadIndexRequests<Long> requests;
  private boolean retryTicking;
  private final Map<Long, Forwarded> forwarded = new HashMap<>();

  Reads(Replica replica, Random random) {
    this.r = replica;
    this.rules = replica.settings.rules().reads();
    this.awaitingApply = new PendingReads<>(rules);
    this.metrics = replica.metrics;
    this.nextId = random.nextLong();
    this.requests = new ReadIndexRequests<>(rules, replica.settings.readIndexPipeline(), random.nextLong());
  }

  /** Takes charge of a client's {@code read}: from now on it ends in exactly one reply. */
  private long accept(Read read) {
    return hold(read.query(), read.minIndex(), read.policy().orElse(r.settings.defaultReadPolicy()),
        read.replyTo()::tell, true);
  }

  /**
   * A leader takes charge of a read a follower forwarded (policy {@code none}): served like its
   * own, the answer going back to the follower (not ok, when it fails here).
   */
  long acceptForwarded(ForwardedRead fr) {
    long term = r.term;
    return hold(fr.query(), fr.minIndex(), ReadPolicy.NONE, reply -> r.send(fr.from(),
        reply instanceof ReadResult rr
            ? new ForwardedReadResult(r.members.groupId(), term, r.members.self(), fr.readId(), true, rr.result(),
                rr.appliedIndex())
            : new ForwardedReadResult(r.members.groupId(), term, r.members.self(), fr.readId(), false, ByteString.EMPTY,
                r.lastApplied)), false);
  }

  private long hold(ByteString query, long minIndex, ReadPolicy policy, Consumer<ReadReply> reply, boolean local) {
    long id = nextId++;
    open.put(id, new Open(query, minIndex, policy, reply, local, System.nanoTime()));
    r.timers.startSingleTimer(new TimerKey(id), new ReadTimedOut(id), r.settings.readIndexTimeout());
    return id;
  }

  /** For a role that never confirms reads itself: a follower or a candidate. */
  static final LongConsumer NOT_LEADER = id -> {
    throw new IllegalStateException("only a leader confirms a read itself");
  };

  /**
   * Takes charge of a client's {@code read} and sends it where {@link ReadRules#route} says for a
   * replica in {@code role}: to the leader for a read index, to the leader to serve, to be served
   * here, or back with "no leader"; a leader confirms its reads with {@code confirmAsLeader}.
   */
  void onRead(Read read, ReadRules.Role role, LongConsumer confirmAsLeader) {
    long id = accept(read);
    switch (rules.route(role, ReadRules.Policy.valueOf(open.get(id).policy.name()))) {
      case ASK_LEADER_FOR_INDEX -> requestReadIndex(id);
      case FORWARD_TO_LEADER -> forward(id);
      case SERVE_LOCALLY -> serveAt(id, 0);
      case NO_LEADER -> failNoLeader(id);
      case CONFIRM_AS_LEADER -> confirmAsLeader.accept(id);
    }
  }

  /**
   * Serve once the state machine has applied {@code readIndex} and the read's own minimum index
   * ({@link ReadRules#hold}, {@link ReadRules#released}). A replica too far behind says so at once
   * instead of letting the read time out.
   */
  void serveAt(long id, long readIndex) {
    Open o = open.get(id);
    if (o == null) return;
    ReadRules.Hold hold = rules.hold(readIndex, o.minIndex, r.lastApplied, r.settings.maxReadLag());
    long index = hold.index();
    if (hold.lagging()) {
      long lag = index - r.lastApplied;
      metrics.lagging();
      fail(id, new RetryLater(r.members.groupId(), "replica " + r.members.self() + " has applied " + r.lastApplied
          + " but the read needs " + index + " (" + lag + " entries behind, chronik.raft.max-read-lag = "
          + r.settings.maxReadLag() + "); retry or read from another replica", r.leaderId));
      return;
    }
    if (hold.ready()) {
      serve(id);
    } else {
      awaitingApply.add(index, id);
    }
  }

  /** The state machine applied more: serve every read whose index it reached. */
  void onApplied() {
    if (awaitingApply.size() == 0) return;
    for (long id : awaitingApply.ready(r.lastApplied)) serve(id);
  }

  /** Answers read {@code id} from the state machine as applied now. */
  private void serve(long id) {
    Open o = open.remove(id);
    if (o == null) return; // answered meanwhile (timed out)
    r.timers.cancel(new TimerKey(id));
    o.reply.accept(new ReadResult(r.stateMachine.query(o.query), r.lastApplied, r.members.self(), o.policy));
    if (o.local) metrics.served(o.policy, o.startNanos);
  }

  void fail(long id, ReadReply reply) {
    Open o = open.remove(id);
    if (o == null) return;
    r.timers.cancel(new TimerKey(id));
    o.reply.accept(reply);
  }

  void failNoLeader(long id) {
    metrics.noLeader();
    fail(id, new NoLeader(r.members.groupId(), r.leaderId));
  }

  Behavior<Command> onTimedOut(ReadTimedOut t) {
    Open o = open.remove(t.id());
    if (o != null) {
      metrics.timedOut();
      o.reply.accept(new ReadTimeout(r.members.groupId(), r.settings.readIndexTimeout()));
    }
    return Behaviors.same();
  }

  // ---------------------------------------------------------------- follower: ReadIndex from the leader

  /**
   * Thesis §6.4 on a follower: get a read index from the leader, then wait to apply it. The
   * request goes out from a message this replica sends itself, after the reads already in its
   * mailbox: under load they share one request (a round trip and a leader's answer) instead of
   * one each — 1.9 reads per request instead of 1.5 at 16 clients in {@code bench}.
   */
  private void requestReadIndex(long id) {
    Optional<String> leader = r.leaderInContact();
    if (leader.isEmpty()) {
      failNoLeader(id); // nobody to ask, or a leader gone silent: the caller retries, maybe elsewhere
      return;
    }
    requests.enqueue(id);
    if (!sendQueued) {
      sendQueued = true;
      r.ctx.getSelf().tell(SendReadIndex.INSTANCE);
    }
  }

  /** The reads that gathered while this message waited in the mailbox go out in one request. */
  Behavior<Command> onSendReadIndex(SendReadIndex m) {
    sendQueued = false;
    Optional<String> leader = r.leaderInContact();
    if (leader.isEmpty()) {
      for (long id : requests.drainWaiting()) failNoLeader(id);
    } else {
      requests.sendWaiting(leader.get(), r.term).ifPresent(this::send);
    }
    return Behaviors.same();
  }

  private void send(ReadIndexRequests.Request<Long> request) {
    r.send(request.leader(), new ReadIndexRequest(r.members.groupId(), request.term(), r.members.self(), request.id()));
    if (!retryTicking) {
      retryTicking = true;
      r.timers.startTimerWithFixedDelay(RETRY_TIMER, RetryReadIndex.INSTANCE, r.settings.heartbeatInterval());
    }
  }

  private void stopRetryTicksWhenIdle() {
    if (retryTicking && !requests.hasOutstanding()) {
      retryTicking = false;
      r.timers.cancel(RETRY_TIMER);
    }
  }

  /** A request unanswered for a whole tick was lost (or its answer was): its reads go out again. */
  Behavior<Command> onRetryReadIndex(RetryReadIndex m) {
    Optional<String> leader = r.leaderInContact();
    if (leader.isEmpty()) {
      for (long id : requests.drain()) failNoLeader(id);
    } else {
      requests.tick(leader.get(), r.term).ifPresent(this::send);
    }
    stopRetryTicksWhenIdle();
    return Behaviors.same();
  }

  void onReadIndexResponse(ReadIndexResponse resp) {
    ReadIndexRequests.Answer<Long> answer =
        requests.onAnswer(resp.requestId(), resp.from(), resp.term(), resp.ok(), resp.readIndex());
    if (answer instanceof ReadIndexRequests.Granted<Long> granted) {
      // The read index is committed at the leader: this replica may commit up to it as far as
      // its log is proved to be the leader's — the leader sends no message of its own for that.
      if (resp.term() == r.term) r.commitKnown(r.followerCommit.onReadIndex(resp.term(), granted.readIndex()));
      for (long id : granted.reads()) serveAt(id, granted.readIndex());
    } else if (answer instanceof ReadIndexRequests.Refused<Long> refused) {
      metrics.leaderChanged();
      for (long id : refused.reads()) {
        fail(id, new RetryLater(r.members.groupId(), refused.leader() + " could not give a read index (no longer "
            + "leader)", Optional.empty()));
      }
    } else {
      return;
    }
    r.leaderInContact().flatMap(l -> requests.sendWaiting(l, r.term)).ifPresent(this::send);
    // The retry ticks stop at the next tick that finds nothing outstanding, not here: under load
    // a request is out again at once, and a timer started and cancelled per round costs CPU.
  }

  // ---------------------------------------------------------------- follower: policy none

  private void forward(long id) {
    Optional<String> leader = r.leaderInContact();
    if (leader.isEmpty()) {
      failNoLeader(id);
      return;
    }
    Open o = open.get(id);
    forwarded.put(id, new Forwarded(leader.get(), r.term));
    metrics.forwarded();
    r.send(leader.get(), new ForwardedRead(r.members.groupId(), r.term, r.members.self(), id, o.query, o.minIndex));
  }

  void onForwardedResult(ForwardedReadResult res) {
    Forwarded sent = forwarded.get(res.readId());
    if (sent == null || !rules.acceptsForwardedResult(sent.leader(), sent.term(), res.from(), res.term(), res.ok())) {
      return;
    }
    forwarded.remove(res.readId());
    Open o = open.remove(res.readId());
    if (o == null) return;
    r.timers.cancel(new TimerKey(res.readId()));
    if (res.ok()) {
      o.reply.accept(new ReadResult(res.result(), res.appliedIndex(), res.from(), o.policy));
      metrics.served(o.policy, o.startNanos);
    } else {
      metrics.leaderChanged();
      o.reply.accept(new RetryLater(r.members.groupId(), res.from() + " could not serve the forwarded read",
          Optional.empty()));
    }
  }

  // ---------------------------------------------------------------- leadership changes

  /**
   * The leader this replica relied on may be gone: reads still waiting for a read index or a
   * forwarded answer fail with a retryable error. Reads that already hold a valid read index keep
   * waiting for it to be applied — that index was confirmed by a leader after they arrived.
   */
  void onLeaderChange(String why) {
    metrics.leaderChangeSeen();
    List<Long> waiting = requests.drain();
    waiting.addAll(forwarded.keySet());
    forwarded.clear();
    stopRetryTicksWhenIdle();
    if (!waiting.isEmpty()) metrics.leaderChanged();
    for (long id : waiting) {
      fail(id, new RetryLater(r.members.groupId(), why + " while the read waited for the leader", r.leaderId));
    }
  }

  /** Storage restarts: nothing this replica holds can be served. */
  void failAll(String why) {
    for (long id : new ArrayList<>(open.keySet())) {
      fail(id, new RetryLater(r.members.groupId(), why, Optional.empty()));
    }
    requests.drain();
    forwarded.clear();
    stopRetryTicksWhenIdle();
  }

  int pending() {
    return open.size();
  }

  ReplicaMetrics.Snapshot snapshot() {
    long oldest = open.values().stream().mapToLong(o -> o.startNanos).min().orElse(System.nanoTime());
    return metrics.snapshot(open.size(), (System.nanoTime() - oldest) / 1_000_000);
  }
}
