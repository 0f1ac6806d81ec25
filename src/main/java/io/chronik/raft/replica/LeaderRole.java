package io.chronik.raft.replica;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.google.protobuf.ByteString;
import io.chronik.raft.core.Progress;
import io.chronik.raft.core.RaftLog;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.ProposalRejected;
import io.chronik.raft.rpc.EntryKind;
import io.chronik.raft.rpc.LogEntry;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

  /** Time to look at whether the preferred leader can take over (private timer message). */
  enum BalanceTick implements Command { INSTANCE }

  /** A leadership transfer did not complete in time (private timer message). */
  enum TransferTimedOut implements Command { INSTANCE }

  private final Replica r;
  private final Map<String, Progress> progress = new LinkedHashMap<>();
  private final LeaderReads reads;
  /** The follower leadership is being handed to, or null. */
  private String transferTarget;
  private boolean timeoutNowSent;


  LeaderRole(Replica replica) {
    this.r = replica;
    this.reads = new LeaderReads(replica, () -> {
      for (String peer : progress.keySet()) sendHeartbeat(peer);
    });
  }

  Behavior<Command> start() {
    for (String peer : r.members.peers()) {
      progress.put(peer, new Progress(r.raftLog.lastIndex() + 1, r.settings.maxInflightAppends()));
    }
    // Raft §5.4.2 / thesis §6.4: entries of earlier terms commit only through an entry of the
    // leader's own term, so a fresh leader appends a no-op at once.
    appendLocal(r.newEntry(ByteString.EMPTY, EntryKind.ENTRY_KIND_NOOP));
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
        .onMessage(BalanceTick.class, m -> onBalanceTick())
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
      if (!r.forwardedAppended.firstTime(fp.from(), fp.proposalId())) return Behaviors.same(); // a duplicate
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
    int size = command.size();
    if (size > r.settings.maxEntryBytes()) {
      answer.accept(new ProposalRejected("command of " + size + " bytes exceeds chronik.raft.max-entry-bytes ("
          + r.settings.maxEntryBytes() + "); split it into smaller commands or raise the limit"));
      return;
    }
    if (transferTarget != null) {
      // Thesis §3.10: no new entries while handing over, so the target can catch up. Nothing
      // entered the log: the client retries and reaches the new leader.
      answer.accept(new ClientProtocol.NotLeader(r.members.groupId(), Optional.empty()));
      return;
    }
    LogEntry entry = r.newEntry(command, EntryKind.ENTRY_KIND_COMMAND);
    appendLocal(entry);
    r.proposals.add(entry.getIndex(), entry.getTerm(), answer);
    for (String peer : progress.keySet()) sendAppend(peer);
  }

  // ---------------------------------------------------------------- leadership transfer

  /** The node is stopping: hand leadership to the follower that holds the most of this log. */
  /**
   * Returns whether it is worth waiting: a hand-over is under way, or some follower is not
   * stopping itself (it may answer soon and take over; a leader of a fresh term has heard from
   * nobody yet). Called again on every answer from a follower until a hand-over starts.
   */
  @Override
  public boolean onDrain() {
    if (transferTarget == null) {
      progress.entrySet().stream()
          .filter(e -> e.getValue().active() && !e.getValue().draining()) // the others would not take over
          .max(java.util.Comparator.comparingLong((Map.Entry<String, Progress> e) -> e.getValue().match()))
          .ifPresent(e -> startTransfer(e.getKey()));
    }
    return transferTarget != null || progress.values().stream().anyMatch(p -> !p.draining());
  }

  /**
   * The preferred leader (placement's choice, which spreads leaders over the nodes) takes over
   * once it is active and caught up with what is committed.
   */
  private Behavior<Command> onBalanceTick() {
    Optional<String> preferred = r.members.preferredLeader();
    if (r.draining || transferTarget != null || preferred.isEmpty()) return Behaviors.same();
    Progress pr = progress.get(preferred.get());
    if (pr != null && pr.active() && !pr.draining() && !pr.probing() && pr.match() >= r.commitIndex) {
      r.log.info("group {}: {} hands leadership to its preferred leader {}", r.members.groupId(), r.members.self(),
          preferred.get());
      startTransfer(preferred.get());
    }
    return Behaviors.same();
  }

  private void startTransfer(String target) {
    Progress pr = progress.get(target);
    if (transferTarget != null || pr == null || pr.draining()) return; // a stopping replica would not take over
    transferTarget = target;
    timeoutNowSent = false;
    r.timers.startSingleTimer(TRANSFER_TIMER, TransferTimedOut.INSTANCE, r.settings.electionTimeout());
    sendAppend(target);
    maybeHandOver();
  }

  /** Sends TimeoutNow once every accepted entry is committed and the target holds the whole log. */
  private void maybeHandOver() {
    if (transferTarget == null || timeoutNowSent) return;
    long last = r.raftLog.lastIndex();
    if (r.commitIndex < last || progress.get(transferTarget).match() < last) return;
    timeoutNowSent = true;
    r.send(transferTarget, new TimeoutNow(r.members.groupId(), r.term, r.members.self()));
  }

  private Behavior<Command> onTransferTimedOut() {
    if (transferTarget != null) {
      r.log.info("group {}: leadership transfer from {} to {} did not complete within {}; {} goes on leading",
          r.members.groupId(), r.members.self(), transferTarget, r.settings.electionTimeout(), r.members.self());
      transferTarget = null;
    }
    return Behaviors.same();
  }

  private void appendLocal(LogEntry entry) {
    r.raftLog.append(entry);
    r.writes.append(entry);
  }

  private Behavior<Command> onAppendEntriesResponse(AppendEntriesResponse resp) {
    Progress pr = progress.get(resp.from());
    pr.markActive();
    pr.draining(resp.draining());
    if (r.draining && transferTarget == null) onDrain();
    if (resp.readSeq() > reads.currentSeq()) {
      r.log.warn("group {}: {} acknowledged read round {} which was never sent; ignoring it", r.members.groupId(),
          resp.from(), resp.readSeq());
    } else if (resp.readSeq() > 0) {
      reads.onAcknowledged(resp.from(), resp.readSeq());
    }
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

  /**
   * Fast back-off (Raft §5.3): if this log has the follower's conflicting term, retry just after
   * its last entry of that term; otherwise skip the follower's whole run of that term.
   */
  private long retryIndex(AppendEntriesResponse resp) {
    long retry;
    if (resp.conflictTerm() == 0) {
      retry = resp.conflictIndex();
    } else {
      long idx = r.raftLog.lastIndexOfTermAtMost(resp.conflictTerm(), resp.rejectedPrevIndex());
      retry = r.raftLog.termAt(idx) == resp.conflictTerm() ? idx + 1 : resp.conflictIndex();
    }
    return Math.max(1, Math.min(retry, resp.rejectedPrevIndex()));
  }

  /**
   * Sends as many AppendEntries as flow control allows — or, when the follower needs entries this
   * log compacted away, the snapshot; returns whether anything went out.
   */
  private boolean sendAppend(String peer) {
    Progress pr = progress.get(peer);
    RaftLog log = r.raftLog;
    if (pr.snapshotting()) return false; // chunks go out as the follower acknowledges them
    if (pr.next() < log.firstIndex()) return sendSnapshotChunk(peer);
    boolean sent = false;
    while (pr.canSend() && (pr.probing() || pr.next() <= log.lastIndex())) {
      long prev = pr.next() - 1;
      List<LogEntry> entries = log.slice(pr.next(), r.settings.maxAppendEntries(), r.settings.maxAppendBytes());
      r.send(peer, new AppendEntries(r.members.groupId(), r.term, r.members.self(), prev, log.termAt(prev),
          entries, r.commitIndex, reads.currentSeq()));
      pr.sent(prev + entries.size());
      sent = true;
    }
    return sent;
  }

  /**
   * Sends the chunk of the latest snapshot the follower expects (the first one when the transfer
   * starts, or when a newer snapshot replaced the one being sent), with the CRC32C of the bytes
   * sent so far in this transfer ({@link Progress#checksumThrough}).
   */
  private boolean sendSnapshotChunk(String peer) {
    Progress pr = progress.get(peer);
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
        pr.checksumThrough(chunk)));
    return true;
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
    if (pr.snapshotting()) return; // its log cannot check one yet; the snapshot's chunks keep it in touch
    if (pr.next() < r.raftLog.firstIndex()) {
      sendSnapshotChunk(peer); // what it needs next is compacted away
      return;
    }
    long prev = pr.next() - 1;
    r.send(peer, new AppendEntries(r.members.groupId(), r.term, r.members.self(), prev, r.raftLog.termAt(prev),
        List.of(), r.commitIndex, reads.currentSeq()));
  }

  private Behavior<Command> onHeartbeatTick() {
    for (Map.Entry<String, Progress> e : progress.entrySet()) {
      if (e.getValue().snapshotting()) {
        sendSnapshotChunk(e.getKey()); // the last chunk or its answer may be lost: send it again
      } else if (e.getValue().probing()) {
        e.getValue().probeAnswered(); // the last probe may be lost: probe again
        sendAppend(e.getKey());
      } else {
        sendHeartbeat(e.getKey());
      }
    }
    return Behaviors.same();
  }

  /** CheckQuorum: a leader that has not heard from a majority within an election timeout steps down. */
  private Behavior<Command> onCheckQuorum() {
    Set<String> active = new HashSet<>();
    active.add(r.members.self());
    for (Map.Entry<String, Progress> e : progress.entrySet()) {
      if (e.getValue().recentActive()) active.add(e.getKey());
      e.getValue().resetActive();
    }
    if (!r.settings.checkQuorum() || r.quorum.isMajority(active)) return Behaviors.same();
    r.log.info("group {}: leader {} heard from only {} within {}; stepping down", r.members.groupId(),
        r.members.self(), active, r.settings.electionTimeout());
    return r.becomeFollower(Optional.empty());
  }

  /**
   * Raft §5.3/§5.4.2: commit the highest index a majority holds durably, but only through an
   * entry of the current term. Followers learn the new commit index at once.
   */
  private void maybeCommit() {
    Map<String, Long> match = new HashMap<>();
    match.put(r.members.self(), r.writes.durableIndex());
    for (Map.Entry<String, Progress> e : progress.entrySet()) match.put(e.getKey(), e.getValue().match());
    long index = r.quorum.committedIndex(match);
    if (index <= r.commitIndex || r.raftLog.termAt(index) != r.term) return;
    boolean firstCommitOfTerm = !committedInTerm();
    r.commitTo(index);
    maybeHandOver();
    for (String peer : progress.keySet()) {
      if (!sendAppend(peer) && !progress.get(peer).probing()) sendHeartbeat(peer);
    }
    if (firstCommitOfTerm) reads.onFirstCommitInTerm();
  }

  /** Mutation testing only: see {@link ReadRuleMutant#STALE_TERM_REQUEST_ANSWERED}. */
  void staleIndexRequest(ReadIndexRequest req) {
    reads.onStaleIndexRequest(req);
  }

  private boolean committedInTerm() {
    return r.commitIndex > 0 && r.raftLog.termAt(r.commitIndex) == r.term;
  }

  int pendingProposals() {
    return r.proposals.size();
  }
}
