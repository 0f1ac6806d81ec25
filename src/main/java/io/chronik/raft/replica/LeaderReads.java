package io.chronik.raft.replica;

import io.chronik.raft.core.ReadIndexQueue;
import io.chronik.raft.core.ReadIndexQueue.Released;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A leader's side of ReadIndex (Raft thesis §6.4), for one term of leadership: a read — its own, a
 * read a follower forwarded under {@code none}, or a follower's request for a read index — gets
 * {@code readIndex = commitIndex} and waits for a heartbeat round, sent after it arrived, that a
 * majority acknowledged ({@link ReadIndexQueue}). Until an entry of this leader's own term is
 * committed its commit index may be stale, so reads wait for that (they are not rejected).
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
  private final Runnable heartbeatAll;
  private final ReadIndexQueue<LeaderRead> queue;
  /** Reads that arrived before the first commit of this term, with who sent each. */
  private final List<Deferred> beforeFirstCommit = new ArrayList<>();

  private record Deferred(LeaderRead read, String requester) {}

  /** @param heartbeatAll sends every follower a heartbeat carrying {@link #currentSeq()} */
  LeaderReads(Replica replica, Runnable heartbeatAll) {
    this.r = replica;
    this.heartbeatAll = heartbeatAll;
    this.queue = new ReadIndexQueue<>(replica.quorum, replica.members.self());
  }

  /** The last confirmation round sent: every AppendEntries carries it. */
  long currentSeq() {
    return queue.currentSeq();
  }

  void onRead(ReadProtocol.Read read) {
    long id = r.reads.accept(read);
    if (r.reads.policyOf(id) == ReadPolicy.UNSAFE) {
      r.reads.serveAt(id, 0);
    } else {
      confirm(new HeldRead(id), r.members.self());
    }
  }

  void onForwardedRead(ForwardedRead fr) {
    long id = r.reads.acceptForwarded(fr);
    if (ReadRuleMutant.active == ReadRuleMutant.FORWARDED_READ_UNCONFIRMED) {
      r.reads.serveAt(id, r.commitIndex);
      return;
    }
    confirm(new HeldRead(id), fr.from());
  }

  void onIndexRequest(ReadIndexRequest req) {
    confirm(new IndexRequest(req.from(), req.requestId()), req.from());
  }

  /** Mutation testing only ({@link ReadRuleMutant#STALE_TERM_REQUEST_ANSWERED}): a stale request answered as current. */
  void onStaleIndexRequest(ReadIndexRequest req) {
    serve(new IndexRequest(req.from(), req.requestId()), r.commitIndex);
  }

  /**
   * A read that {@code requester} (this leader, or the follower that sent it) received before it
   * sent the read here in this term. When the requester and this leader alone form a majority (a
   * group of three), the read needs no heartbeat round: both were in this term after the read
   * arrived, so no majority had moved to a newer term before it arrived, and no newer leader can
   * have committed anything this commit index misses (the argument ReadIndex's round makes, with
   * the follower's request as the second acknowledgement).
   */
  private void confirm(LeaderRead read, String requester) {
    if (!committedInTerm()) {
      beforeFirstCommit.add(new Deferred(read, requester));
    } else if (!requester.equals(r.members.self()) && (r.quorum.isMajority(Set.of(r.members.self(), requester))
        || ReadRuleMutant.active == ReadRuleMutant.SHORTCUT_IN_ANY_GROUP)) {
      r.metrics.readsConfirmedByRequest++;
      serve(read, r.commitIndex);
    } else {
      queue.register(read, r.commitIndex);
      maybeStartRound();
    }
  }

  private boolean committedInTerm() {
    return r.commitIndex > 0 && r.raftLog.termAt(r.commitIndex) == r.term;
  }

  /** {@code voter} acknowledged round {@code seq} (checked to have been sent). */
  void onAcknowledged(String voter, long seq) {
    release(queue.acknowledge(voter, seq));
    maybeStartRound();
  }

  /**
   * Thesis §6.4 step 1: the first entry of this term committed; only now is the commit index
   * known current. The reads that waited for it are confirmed as if they arrived now (every one
   * arrived in this term, so the three-node shortcut holds for them as for any other).
   */
  void onFirstCommitInTerm() {
    if (beforeFirstCommit.isEmpty()) return;
    List<Deferred> deferred = new ArrayList<>(beforeFirstCommit);
    beforeFirstCommit.clear();
    for (Deferred d : deferred) confirm(d.read(), d.requester());
  }

  /** Sends a confirmation round for the reads waiting for one, unless a round is outstanding. */
  private void maybeStartRound() {
    if (!queue.needsRound()) return;
    queue.startRound();
    r.metrics.readIndexRounds++;
    heartbeatAll.run();
    release(queue.releaseConfirmed()); // a single-voter group confirms on its own
  }

  private void release(List<Released<LeaderRead>> confirmed) {
    r.metrics.readsReleasedByRounds += confirmed.size();
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
