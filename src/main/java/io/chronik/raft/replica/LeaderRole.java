package io.chronik.raft.replica;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.google.protobuf.ByteString;
import io.chronik.raft.core.Progress;
import io.chronik.raft.core.ReplicationRules;
import io.chronik.raft.core.ReplicationRules.Send;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.ProposalRejected;
import io.chronik.raft.rpc.EntryKind;
import io.chronik.raft.rpc.LogEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Leader (Raft §5.3): appends proposals, replicates them with per-follower flow control, and
 * commits an index once a majority holds it durably — counting itself only for what its own
 * storage has acknowledged, while it sends to followers without waiting for its disk.
 *
 * <p>Reads go to {@link LeaderReads} (ReadIndex, thesis §6.4); this role tells it about
 * acknowledged rounds, the first commit of its term, and stepping down.
 *
 * <p>Leadership transfer (thesis §3.10): to hand over to a follower — its partition's preferred
 * leader once that one is caught up (so leaders spread over the nodes), or any follower when this
 * node is stopping — the leader stops accepting proposals, waits until everything it accepted is
 * committed and the target holds its whole log, then sends {@link TimeoutNow}. Nothing it
 * acknowledged is at risk, and every write it accepted has been answered. If the
 * target has not taken over within an election timeout, the leader resumes. (A forwarded write
 * whose answer is still on its way to its follower when the target's election starts is reported
 * to its client as of unknown outcome by that follower; it did commit.)
 */
final class LeaderRole implements Replica.RoleHandler {
  static final Object BALANCE_TIMER = "leader-balance";
  static final Object TRANSFER_TIMER = "leader-transfer";
  /** When the node's snapshot budget holds the next chunk of a paced transfer. */
  static final Object SNAPSHOT_PACE_TIMER = "snapshot-pace";

  /** Time to look at whether the preferred leader can take over (private timer message). */
  enum BalanceTick implements Command { INSTANCE }

  /** Time to send the chunks that waited for the node's snapshot budget (private timer message). */
  enum SnapshotPaceTick implements Command { INSTANCE }

  /** A leadership transfer did not complete in time (private timer message). */
  enum TransferTimedOut implements Command { INSTANCE }

  private final Replica r;
  private final Map<String, Progress> progress = new LinkedHashMap<>();
  /** Followers whose next snapshot chunk waits for the node's snapshot budget. */
  private final Set<String> paced = new LinkedHashSet<>();
  private final LeaderReads reads;
  /** Changing the group's members: requests, the configuration's entries, leaving joint, hand-over before removal. */
  private final LeaderMembership membership;
  /** An entry of this term is committed: from then on the commit index is current (thesis §6.4). */
  private boolean termCommitted;
  /** The follower leadership is being handed to, or null. */
  private String transferTarget;
  private boolean timeoutNowSent;


  LeaderRole(Replica replica) {
    this.r = replica;
    this.membership = new LeaderMembership(this, replica);
    this.reads = new LeaderReads(replica, progress::keySet, this::sendHeartbeat);
  }

  Behavior<Command> start() {
    for (String peer : r.membership.replicationTargets()) {
      progress.put(peer, new Progress(r.raftLog.lastIndex() + 1, r.settings.maxInflightAppends()));
    }
    // Raft §5.4.2 / thesis §6.4: entries of earlier terms commit only through an entry of the
    // leader's own term, so a fresh leader appends a no-op at once.
    r.appendNew(ByteString.EMPTY, EntryKind.ENTRY_KIND_NOOP);
    r.timers.startTimerWithFixedDelay(Replica.HEARTBEAT_TIMER, Replica.HeartbeatTick.INSTANCE,
        r.settings.heartbeatInterval());
    // Also without CheckQuorum: the tick ages each follower's "heard from recently", which
    // hand-overs rely on.
    r.timers.startTimerWithFixedDelay(Replica.CHECK_QUORUM_TIMER, Replica.CheckQuorumTick.INSTANCE,
        r.settings.electionTimeout());
    if (r.settings.leaderBalancing() && r.members.preferredLeader().filter(p -> !p.equals(r.members.self())).isPresent()) {
      r.timers.startTimerWithFixedDelay(BALANCE_TIMER, BalanceTick.INSTANCE, r.settings.leaderBalanceDelay());
    }
    r.log.debug("group {}: {} is leader of term {}", r.members.groupId(), r.members.self(), r.term);
    for (String peer : progress.keySet()) sendAppend(peer);
    maybeCommit(); // a single-voter group commits on its own durability
    Behavior<Command> behavior = behavior();
    if (r.draining) onDrain();
    return behavior;
  }

  private Behavior<Command> behavior() {
    return r.roleBehavior(this)
        .onMessage(Propose.class, this::onPropose)
        .onMessage(ReadProtocol.Read.class, m -> {
          reads.onRead(m);
          return Behaviors.same();
        })
        .onMessage(Replica.HeartbeatTick.class, m -> onHeartbeatTick())
        .onMessage(Replica.CheckQuorumTick.class, m -> onCheckQuorum())
        .onMessage(Replica.ElectionTimeout.class, m -> Behaviors.same())
        .onMessage(ReplicaControl.TransferLeadership.class, m -> {
          startTransfer(m.target());
          return Behaviors.same();
        })
        .onMessage(ReplicaControl.ChangeConfig.class, membership::onChangeConfig)
        .onMessage(ReplicaControl.RecordFilesConfiguration.class, membership::onRecordFilesConfiguration)
        .onMessage(BalanceTick.class, m -> onBalanceTick())
        .onMessage(SnapshotPaceTick.class, m -> onSnapshotPaceTick())
        .onMessage(TransferTimedOut.class, m -> onTransferTimedOut())
        .build();
  }

  @Override
  public Behavior<Command> onRaftMessage(RaftMessage m) {
    if (m instanceof AppendEntriesResponse resp) return onAppendEntriesResponse(resp);
    if (m instanceof InstallSnapshotResponse resp) return onInstallSnapshotResponse(resp);
    if (m instanceof ReadIndexRequest req) {
      reads.onIndexRequest(req);
      return Behaviors.same();
    }
    if (m instanceof ForwardedRead fr) {
      reads.onForwardedRead(fr);
      return Behaviors.same();
    }
    if (m instanceof ForwardedPropose fp) {
      if (r.settings.rules().forwarding().atLeader(r.forwardedAppended, fp.from(), fp.proposalId())
          == io.chronik.raft.core.ForwardingRules.AtLeader.DROP_DUPLICATE) {
        return Behaviors.same(); // the first copy's answer goes to the same follower under the same id
      }
      r.forwardedAppended.firstTime(fp.from(), fp.proposalId());
      propose(fp.command(), reply -> r.send(fp.from(),
          ProposalForwarding.result(r.members.groupId(), r.term, r.members.self(), fp.proposalId(), reply)));
      return Behaviors.same();
    }
    if (m instanceof RequestVote rv) return r.answerVote(rv, r.inLeaderLease(this));
    if (m instanceof AppendEntries || m instanceof InstallSnapshot) {
      r.log.error("group {}: two leaders in term {}: {} and {}; ignoring the other's {}",
          r.members.groupId(), r.term, r.members.self(), m.from(), m.getClass().getSimpleName());
    }
    return Behaviors.same();
  }

  @Override
  public void onDurable() {
    r.proposals.durableThrough(r.writes.durableIndex());
    maybeCommit();
  }

  /** Stepping down: no read waiting for this leader's confirmation may be served. */
  @Override
  public void onExit() {
    reads.onStepDown();
  }

  private Behavior<Command> onPropose(Propose p) {
    propose(p.command(), p.replyTo()::tell);
    return Behaviors.same();
  }

  /** Appends {@code command} and replicates it; {@code answer} gets exactly one reply. */
  private void propose(ByteString command, java.util.function.Consumer<ClientProtocol.ProposeReply> answer) {
    long arrived = System.nanoTime();
    int size = command.size();
    if (size > r.settings.maxEntryBytes()) {
      answer.accept(new ProposalRejected("command of " + size + " bytes exceeds chronik.raft.max-entry-bytes ("
          + r.settings.maxEntryBytes() + "); split it into smaller commands or raise the limit"));
      return;
    }
    if (!rules().acceptsProposals(transferTarget != null)) {
      // Thesis §3.10: no new entries while handing over, so the target can catch up. Nothing
      // entered the log: the client retries and reaches the new leader.
      answer.accept(new ClientProtocol.NotLeader(r.members.groupId(), Optional.empty()));
      return;
    }
    LogEntry entry = r.appendNew(command, EntryKind.ENTRY_KIND_COMMAND);
    r.proposals.add(entry.getIndex(), entry.getTerm(), answer, arrived);
    for (String peer : progress.keySet()) sendAppend(peer);
  }

  // ---------------------------------------------------------------- leadership transfer

  private io.chronik.raft.core.LeadershipRules rules() {
    return r.settings.rules().leadership();
  }

  /**
   * The node is stopping: hand leadership to the follower that holds the most of this log.
   * Returns whether it is worth waiting (see {@link io.chronik.raft.core.LeadershipRules#drain}).
   * Called again on every answer from a follower until a hand-over starts.
   */
  @Override
  public boolean onDrain() {
    io.chronik.raft.core.LeadershipRules.Drain d =
        rules().drain(transferTarget != null, membership.transferCandidates());
    d.handTo().ifPresent(this::startTransfer);
    return d.keepWaiting();
  }

  /**
   * The preferred leader (placement's choice, which spreads leaders over the nodes) takes over when
   * the rules say, while the group keeps the voters placement gave it.
   */
  private Behavior<Command> onBalanceTick() {
    rules().balanceTo(r.members.preferredLeaderIn(r.membership.config()), r.draining, transferTarget != null, membership.transferCandidates(),
            r.commitIndex)
        .ifPresent(target -> {
          r.log.info("group {}: {} hands leadership to its preferred leader {}", r.members.groupId(),
              r.members.self(), target);
          startTransfer(target);
        });
    return Behaviors.same();
  }

  private void startTransfer(String target) {
    if (!rules().canTransferTo(transferTarget != null, membership.transferCandidates().get(target))) return;
    transferTarget = target;
    timeoutNowSent = false;
    r.timers.startSingleTimer(TRANSFER_TIMER, TransferTimedOut.INSTANCE,
        rules().transferTimeout(r.settings.electionTimeout()));
    sendAppend(target);
    maybeHandOver();
  }

  /** Sends TimeoutNow once the rules say the target can take over without losing anything. */
  private void maybeHandOver() {
    if (transferTarget == null) return;
    if (!rules().sendTimeoutNow(timeoutNowSent, r.raftLog.lastIndex(), r.commitIndex,
        progress.get(transferTarget).match())) {
      return;
    }
    timeoutNowSent = true;
    r.send(transferTarget, new TimeoutNow(r.members.groupId(), r.term, r.members.self()));
  }

  private Behavior<Command> onTransferTimedOut() {
    if (transferTarget != null) {
      r.log.info("group {}: leadership transfer from {} to {} did not complete within {}; {} goes on leading",
          r.members.groupId(), r.members.self(), transferTarget, rules().transferTimeout(r.settings.electionTimeout()),
          r.members.self());
      transferTarget = null;
    }
    return Behaviors.same();
  }

  private Behavior<Command> onAppendEntriesResponse(AppendEntriesResponse resp) {
    Progress pr = progress.get(resp.from());
    pr.markActive();
    pr.draining(resp.draining());
    if (r.draining && transferTarget == null) onDrain();
    reads.onAcknowledged(resp.from(), resp.readSeq());
    if (resp.success()) {
      if (pr.acknowledged(resp.matchIndex())) {
        maybeCommit();
        maybeHandOver();
      }
      sendAppend(resp.from());
    } else if (pr.rejected(resp.rejectedPrevIndex(), retryIndex(resp))) {
      sendAppend(resp.from());
    }
    return Behaviors.same();
  }

  /** Fast back-off (Raft §5.3), decided by {@link ReplicationRules#retryIndex}. */
  private long retryIndex(AppendEntriesResponse resp) {
    return replication().retryIndex(r.raftLog, resp.rejectedPrevIndex(), resp.conflictIndex(), resp.conflictTerm());
  }

  private ReplicationRules replication() {
    return r.settings.rules().replication();
  }

  /**
   * Sends as many AppendEntries as flow control allows — or, when the follower needs entries this
   * log compacted away, the snapshot; returns whether anything went out.
   */
  private boolean sendAppend(String peer) {
    Progress pr = progress.get(peer);
    // Gone when the configuration changed while handling its answer (its commit let this leader
    // leave a joint configuration that drops it): nothing more goes to it.
    if (pr == null) return false;
    boolean sent = false;
    while (true) {
      Send next = replication().nextSend(pr, r.raftLog, r.settings.maxAppendEntries(), r.settings.maxAppendBytes());
      switch (next.kind()) {
        case NOTHING -> {
          return sent;
        }
        case SNAPSHOT -> {
          return sendSnapshotChunk(peer);
        }
        case ENTRIES -> {
          r.send(peer, new AppendEntries(r.members.groupId(), r.term, r.members.self(), next.prevIndex(),
              next.prevTerm(), next.entries(), r.commitIndex, reads.currentSeq()));
          pr.sent(next.prevIndex() + next.entries().size());
          sent = true;
        }
      }
    }
  }

  /**
   * Sends the chunk of the latest snapshot the follower expects (the first one when the transfer
   * starts, or when a newer snapshot replaced the one being sent), with the CRC32C of the bytes
   * sent so far in this transfer ({@link Progress#checksumThrough}).
   */
  private boolean sendSnapshotChunk(String peer) {
    Progress pr = progress.get(peer);
    if (pr == null) return false; // no member any more (see sendAppend)
    Optional<io.chronik.raft.snapshot.SnapshotData> latest;
    try {
      latest = r.snapshots.outgoing();
    } catch (java.io.IOException e) {
      r.log.warn("group {}: cannot prepare the snapshot for {}: {}; trying again", r.members.groupId(), peer,
          e.getMessage());
      return false;
    }
    if (latest.isEmpty()) {
      r.log.error("group {}: {} needs entries before {} but there is no snapshot", r.members.groupId(), peer,
          r.raftLog.firstIndex());
      return false;
    }
    io.chronik.raft.snapshot.SnapshotData snapshot = latest.get();
    if (r.settings.rules().snapshots().startsTransfer(pr.snapshotIndex(), snapshot.meta().index())) {
      if (!pr.snapshotting()) {
        r.log.info("group {}: {} sends {} ({} bytes) to {}, whose next entry {} is compacted away",
            r.members.groupId(), r.members.self(), snapshot.meta(), snapshot.size(), peer, pr.next());
      }
      pr.startSnapshot(snapshot.meta().index());
    }
    long wait = r.settings.snapshots().throttle()
        .tryTake(Math.min(r.settings.snapshots().chunkBytes(), snapshot.size() - pr.snapshotOffset()));
    if (wait > 0) {
      paced.add(peer);
      if (!r.timers.isTimerActive(SNAPSHOT_PACE_TIMER)) {
        r.timers.startSingleTimer(SNAPSHOT_PACE_TIMER, SnapshotPaceTick.INSTANCE, Duration.ofNanos(wait));
      }
      return false;
    }
    com.google.protobuf.ByteString chunk;
    try {
      chunk = snapshot.read(pr.snapshotOffset(), r.settings.snapshots().chunkBytes());
    } catch (java.io.IOException e) {
      r.log.warn("group {}: cannot read {} for {}: {}; trying again", r.members.groupId(), snapshot.meta(), peer,
          e.getMessage());
      pr.abortSnapshot();
      return false;
    }
    r.send(peer, new InstallSnapshot(r.members.groupId(), r.term, r.members.self(), snapshot.meta().index(),
        snapshot.meta().term(), pr.snapshotOffset(), chunk, snapshot.size(), pr.snapshotTransfer(),
        pr.checksumThrough(chunk), snapshot.meta().config(), snapshot.meta().configIndex()));
    return true;
  }

  /** The chunks that waited for the budget go now (or wait again: other leaders of the node share it). */
  private Behavior<Command> onSnapshotPaceTick() {
    List<String> due = List.copyOf(paced);
    paced.clear();
    for (String peer : due) {
      Progress pr = progress.get(peer);
      if (pr != null && pr.snapshotting()) sendSnapshotChunk(peer);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onInstallSnapshotResponse(InstallSnapshotResponse resp) {
    Progress pr = progress.get(resp.from());
    pr.markActive();
    switch (r.settings.rules().snapshots().onResponse(resp.installed(), resp.lastIndex(), pr.snapshotIndex())) {
      case INSTALLED -> {
        if (pr.snapshotInstalled(resp.lastIndex())) {
          maybeCommit();
          maybeHandOver();
        }
        sendAppend(resp.from());
      }
      case CHUNK -> {
        io.chronik.raft.core.SnapshotRules.ChunkAnswer answer =
            r.settings.rules().snapshots().chunkAnswered(pr.sending(), resp.transfer(), resp.nextOffset());
        if (pr.apply(answer, resp.nextOffset())) sendSnapshotChunk(resp.from());
      }
      case IGNORE -> { }
    }
    return Behaviors.same();
  }

  /** An empty AppendEntries at the follower's next index: carries the commit index and detects lost appends. */
  private void sendHeartbeat(String peer) {
    Progress pr = progress.get(peer);
    if (pr == null || pr.snapshotting()) return; // its log cannot check one yet; the snapshot's chunks keep it in touch
    if (pr.next() < r.raftLog.firstIndex()) {
      sendSnapshotChunk(peer); // what it needs next is compacted away
      return;
    }
    long prev = pr.next() - 1;
    r.send(peer, new AppendEntries(r.members.groupId(), r.term, r.members.self(), prev, r.raftLog.termAt(prev),
        List.of(), r.commitIndex, reads.currentSeq()));
  }

  private Behavior<Command> onHeartbeatTick() {
    if (membership.removedForGood() && transferTarget == null) {
      r.log.info("group {}: leader {} is no voter of committed configuration {}; stepping down", r.members.groupId(),
          r.members.self(), r.membership.config().orElse(null));
      return r.becomeFollower(Optional.empty());
    }
    // Again each beat, not only when the commit index moves: a transfer running when the joint
    // entry committed held the leave back, and a hand-over by an outgoing-only leader may have
    // timed out; with no new entries to commit, nothing else would try again.
    membership.afterConfigCommitted();
    for (Map.Entry<String, Progress> e : progress.entrySet()) {
      switch (rules().heartbeat(e.getValue())) {
        case RESEND_SNAPSHOT_CHUNK -> sendSnapshotChunk(e.getKey());
        case PROBE_AGAIN -> {
          e.getValue().probeAnswered();
          sendAppend(e.getKey());
        }
        case HEARTBEAT -> sendHeartbeat(e.getKey());
      }
    }
    return Behaviors.same();
  }

  /** CheckQuorum: a leader that has not heard from a majority within an election timeout steps down. */
  private Behavior<Command> onCheckQuorum() {
    io.chronik.raft.core.LeadershipRules.QuorumCheck check =
        rules().checkQuorum(r.members.self(), progress, r.membership.quorum(), r.settings.checkQuorum());
    for (Progress p : progress.values()) p.resetActive(); // a new period starts
    if (!check.stepDown()) return Behaviors.same();
    r.log.info("group {}: leader {} heard from only {} within {}; stepping down", r.members.groupId(),
        r.members.self(), check.active(), r.settings.electionTimeout());
    return r.becomeFollower(Optional.empty());
  }

  /**
   * Raft §5.3/§5.4.2, decided by {@link ReplicationRules#commitIndex}: commit the highest index a
   * majority holds durably, but only through an entry of the current term. Followers learn the
   * new commit index with the next append or heartbeat, or with a read index
   * ({@link io.chronik.raft.core.FollowerCommit}): no message goes out only to carry it (it was
   * two of the four messages per follower of every write at one producer).
   */
  private void maybeCommit() {
    Map<String, Long> match = new HashMap<>();
    match.put(r.members.self(), r.writes.durableIndex());
    for (Map.Entry<String, Progress> e : progress.entrySet()) match.put(e.getKey(), e.getValue().match());
    long index = replication().commitIndex(r.raftLog, r.membership.quorum(), match, r.term, r.commitIndex);
    if (index > r.commitIndex) {
      r.commitTo(index);
      maybeHandOver();
      for (String peer : List.copyOf(progress.keySet())) sendAppend(peer); // what waited for the commit
    }
    if (!termCommitted && committedInTerm()) {
      termCommitted = true;
      reads.onFirstCommitInTerm();
    }
    membership.afterConfigCommitted();
  }

  // ---------------------------------------------------------------- for LeaderMembership

  /** Every member this leader replicates to, with its progress (learners included). */
  Map<String, Progress> progress() {
    return progress;
  }

  /** The follower leadership is being handed to, if a transfer runs. */
  Optional<String> transferTarget() {
    return Optional.ofNullable(transferTarget);
  }

  /** The transfer's target is no incoming voter any more: the transfer is over. */
  void abortTransfer() {
    transferTarget = null;
    r.timers.cancel(TRANSFER_TIMER);
  }

  boolean termCommitted() {
    return termCommitted;
  }

  void sendAppendToAll() {
    for (String peer : List.copyOf(progress.keySet())) sendAppend(peer);
  }

  void transferTo(String target) {
    startTransfer(target);
  }

  /** The configuration changed: read rounds count on its majorities, and a commit may be due. */
  void countOn(io.chronik.raft.core.Quorum quorum) {
    reads.onQuorumChanged(quorum);
    maybeCommit(); // removing a slow voter can commit at once
  }

  @Override
  public void onConfigChanged(Optional<io.chronik.raft.core.Configuration> before,
      Optional<io.chronik.raft.core.Configuration> after) {
    membership.onConfigChanged(after);
  }

  /** A ReadIndex request of an earlier term reached this leader ({@link Replica}'s term check). */
  void staleIndexRequest(ReadIndexRequest req) {
    reads.onIndexRequest(req);
  }

  /** The current-term gate ({@link io.chronik.raft.core.ReadRules#committedInTerm}). */
  private boolean committedInTerm() {
    return r.settings.rules().reads().committedInTerm(r.commitIndex, r.raftLog.termAt(r.commitIndex), r.term);
  }

  int pendingProposals() {
    return r.proposals.size();
  }
}
