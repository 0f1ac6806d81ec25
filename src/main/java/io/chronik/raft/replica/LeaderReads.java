package io.chronik.raft.replica;

import io.chronik.raft.core.ReadIndexQueue;
import io.chronik.raft.core.ReadIndexQueue.Released;
import io.chronik.raft.core.ReadRules;
import io.chronik.raft.core.ReadRules.Confirmation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A leader's side of ReadIndex (Raft thesis §6.4), for one term of leadership: a read — its own, a
 * read a follower forwarded under {@code none}, or a follower's request for a read index — gets
 * {@code readIndex = commitIndex} and waits for a heartbeat round, sent after it arrived, that a
 * majority acknowledged ({@link ReadIndexQueue}). Until an entry of this leader's own term is
 * committed its commit index may be stale, so reads wait for that (they are not rejected). Every
 * one of these decisions is {@link ReadRules}'; this class keeps the reads and executes them.
 *
 * <p>The reads a leader serves itself go to {@link Reads#serveAt} with their read index: served
 * once applied reaches it and the read's minimum index, as on every replica.
 */
final class LeaderReads {
  /** A read the leader confirms. */
  private sealed interface LeaderRead {}

  /** Held in {@link Reads} under {@code id}: a client's read on this replica, or a forwarded one. */
  private record HeldRead(long id) implements LeaderRead {}

  /** A follower's ReadIndex request: the answer is the read index itself. */
  private record IndexRequest(String from, long requestId) implements LeaderRead {}

  private final Replica r;
  private final ReadRules rules;
  /** The followers (voters and learners) this leader replicates to. */
  private final Supplier<Collection<String>> followers;
  /** Sends one follower a heartbeat carrying {@link #currentSeq()}. */
  private final Consumer<String> heartbeat;
  private final ReadIndexQueue<LeaderRead> queue;
  /** Reads that arrived before the first commit of this term, with what each is and who sent it. */
  private final List<Deferred> beforeFirstCommit = new ArrayList<>();
  /** An entry of this term is committed ({@link ReadRules#committedInTerm}, asked by the leader). */
  private boolean termCommitted;

  private record Deferred(LeaderRead read, ReadRules.LeaderRead kind, String requester) {}

  /**
   * @param followers the followers (voters and learners) this leader replicates to
   * @param heartbeat sends one follower a heartbeat carrying {@link #currentSeq()}
   */
  LeaderReads(Replica replica, Supplier<Collection<String>> followers, Consumer<String> heartbeat) {
    this.r = replica;
    this.rules = replica.settings.rules().reads();
    this.followers = followers;
    this.heartbeat = heartbeat;
    this.queue = new ReadIndexQueue<>(rules, replica.membership.quorum(), replica.members.self());
  }

  /** The last confirmation round sent: every AppendEntries carries it. */
  long currentSeq() {
    return queue.currentSeq();
  }

  void onRead(ReadProtocol.Read read) {
    r.reads.onRead(read, ReadRules.Role.LEADER,
        id -> confirm(new HeldRead(id), ReadRules.LeaderRead.OWN_READ, r.members.self()));
  }

  void onForwardedRead(ForwardedRead fr) {
    long id = r.reads.acceptForwarded(fr);
    confirm(new HeldRead(id), ReadRules.LeaderRead.FORWARDED_READ, fr.from());
  }

  /**
   * A follower's ReadIndex request, of this leader's term or (from {@link Replica}'s term check)
   * an earlier one: confirmed and answered with the read index, or refused.
   */
  void onIndexRequest(ReadIndexRequest req) {
    switch (rules.answerIndexRequest(req.term(), r.term)) {
      case CONFIRM -> confirm(new IndexRequest(req.from(), req.requestId()), ReadRules.LeaderRead.INDEX_REQUEST,
          req.from());
      case REFUSE -> r.refuseLeaderWork(req);
    }
  }

  /**
   * A read that {@code requester} (this leader, or the follower that sent it) received before it
   * sent the read here in this term: served now, after a heartbeat round, or once this term's
   * first entry commits ({@link ReadRules#confirmation}).
   */
  private void confirm(LeaderRead read, ReadRules.LeaderRead kind, String requester) {
    boolean requesterAcknowledges = rules.requesterAcknowledges(r.membership.quorum(), r.members.self(), requester);
    Confirmation how = rules.confirmation(kind, termCommitted, requesterAcknowledges);
    switch (how) {
      case AFTER_FIRST_COMMIT -> beforeFirstCommit.add(new Deferred(read, kind, requester));
      case NOW -> {
        r.metrics.confirmedByRequest();
        serve(read, r.commitIndex);
      }
      case BY_ROUND -> {
        queue.register(read, r.commitIndex);
        maybeStartRound();
      }
    }
  }

  /** An AppendEntries acknowledgement from {@code voter} carried read round {@code seq}. */
  void onAcknowledged(String voter, long seq) {
    switch (rules.acknowledgement(seq, queue.currentSeq())) {
      case NONE -> { }
      case NEVER_SENT -> r.log.warn("group {}: {} acknowledged read round {} which was never sent; ignoring it",
          r.members.groupId(), voter, seq);
      case COUNTS -> {
        release(queue.acknowledge(voter, seq));
        maybeStartRound();
      }
    }
  }

  /**
   * Thesis §6.4 step 1: the first entry of this term committed; only now is the commit index
   * known current. The reads that waited for it are confirmed as if they arrived now (every one
   * arrived in this term, so the three-node shortcut holds for them as for any other).
   */
  void onFirstCommitInTerm() {
    termCommitted = true;
    if (beforeFirstCommit.isEmpty()) return;
    List<Deferred> deferred = new ArrayList<>(beforeFirstCommit);
    beforeFirstCommit.clear();
    for (Deferred d : deferred) confirm(d.read(), d.kind(), d.requester());
  }

  /** The leader's configuration changed: rounds count on its majorities from now on. */
  void onQuorumChanged(io.chronik.raft.core.Quorum quorum) {
    release(queue.setQuorum(quorum));
    maybeStartRound();
  }

  /**
   * Sends a confirmation round for the reads waiting for one, unless a round is outstanding: to
   * as many of the followers that acknowledged most recently as make a majority with this leader
   * ({@link ReadRules#roundRecipients}); the regular heartbeats carry it to the rest.
   */
  private void maybeStartRound() {
    if (!queue.needsRound()) return;
    queue.startRound();
    r.metrics.readIndexRound();
    rules.roundRecipients(r.membership.quorum(), r.members.self(), queue.recentAcknowledgers(), followers.get())
        .forEach(heartbeat);
    release(queue.releaseConfirmed()); // a single-voter group confirms on its own
  }

  private void release(List<Released<LeaderRead>> confirmed) {
    r.metrics.releasedByRound(confirmed.size());
    for (Released<LeaderRead> c : confirmed) serve(c.read(), c.readIndex());
  }

  private void serve(LeaderRead read, long readIndex) {
    if (read instanceof HeldRead held) {
      r.reads.serveAt(held.id(), readIndex);
    } else if (read instanceof IndexRequest ir) {
      r.send(ir.from(), new ReadIndexResponse(r.members.groupId(), r.term, r.members.self(), ir.requestId(), true,
          readIndex));
    }
  }

  /** Stepping down: no read waiting for this leader's confirmation may be served. */
  void onStepDown() {
    List<LeaderRead> unconfirmed = queue.drainAll();
    for (Deferred d : beforeFirstCommit) unconfirmed.add(d.read());
    beforeFirstCommit.clear();
    for (LeaderRead read : unconfirmed) {
      if (read instanceof HeldRead held) {
        r.reads.fail(held.id(), new ReadProtocol.RetryLater(r.members.groupId(),
            r.members.self() + " lost leadership before it could confirm the read", Optional.empty()));
      } else if (read instanceof IndexRequest ir) {
        r.refuseLeaderWork(new ReadIndexRequest(r.members.groupId(), r.term, ir.from(), ir.requestId()));
      }
    }
  }
}
