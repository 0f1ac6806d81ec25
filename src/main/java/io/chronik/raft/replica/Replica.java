package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.Signal;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.BehaviorBuilder;
import akka.actor.typed.javadsl.StashBuffer;
import akka.actor.typed.javadsl.TimerScheduler;
import com.google.protobuf.ByteString;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.core.ElectionRules;
import io.chronik.raft.core.FaultBackoff;
import io.chronik.raft.core.FollowerCommit;
import io.chronik.raft.core.RaftLog;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.LocalQuery;
import io.chronik.raft.replica.ClientProtocol.NotLeader;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.QueryResult;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.Recovered;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.rpc.EntryKind;
import io.chronik.raft.rpc.HardState;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.statemachine.StateMachine;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * One replica of one Raft group, as a typed actor. The active behaviour is the role:
 * {@code recovering} → {@link FollowerRole} / {@link CandidateRole} / {@link LeaderRole}.
 *
 * <p>This class holds what every role shares — the durable state (term, vote, log) mirrored
 * from storage, the commit and apply indexes, the state machine — and the rules every role
 * applies the same way: the term check ({@link #step}), persist-before-speak ({@link WriteQueue}),
 * and applying committed entries in order exactly once.
 *
 * <p>Invariants: {@code lastApplied <= commitIndex <= log.lastIndex()} on followers; the term
 * never decreases; a vote is never cast twice in one term (votedFor is durable before any
 * RequestVoteResponse leaves).
 */
public final class Replica {
  static final Object ELECTION_TIMER = "election";
  static final Object HEARTBEAT_TIMER = "heartbeat";
  static final Object CHECK_QUORUM_TIMER = "check-quorum";
  static final Object LEADER_LEASE_TIMER = "leader-lease";
  static final Object STORAGE_RESTART_TIMER = "storage-restart";
  static final Object LEADER_CONTACT_TIMER = "leader-contact";
  static final Object FAULT_QUIET_TIMER = "fault-quiet";

  /** The election timer fired (private: only this replica's timers send it). */
  enum ElectionTimeout implements Command { INSTANCE }

  enum HeartbeatTick implements Command { INSTANCE }

  enum CheckQuorumTick implements Command { INSTANCE }

  /** The minimum election timeout passed without leader contact (thesis §4.2.3). */
  enum LeaderLeaseExpired implements Command { INSTANCE }

  enum RestartStorage implements Command { INSTANCE }

  /** No message from the leader for {@link ReplicaSettings#leaderSilence()}. */
  enum LeaderSilent implements Command { INSTANCE }

  /** The storage actor stopped: a journal write failed or was rejected. */
  record StorageStopped(int incarnation) implements Command {}

  /** The replica ran {@link FaultBackoff#quietPeriod()} since it recovered without failing again. */
  enum FaultQuiet implements Command { INSTANCE }

  final ActorContext<Command> ctx;
  final TimerScheduler<Command> timers;
  final ReplicaSettings settings;
  final GroupMembers members;
  /** The configuration in force, and what follows from it (who votes, who is replicated to). */
  final Membership membership = new Membership(this);
  final Logger log;
  private final PeerSender transport;
  private final Supplier<StateMachine> stateMachineFactory;
  private final Random random;

  // Durable state, mirrored: changed only together with a write to storage.
  long term;
  String votedFor = "";
  RaftLog raftLog;
  // Volatile state (Raft Figure 2).
  long commitIndex;
  long lastApplied;
  Optional<String> leaderId = Optional.empty();
  /**
   * What this replica, following, knows of its leader's commit index (the leader sends none of its
   * own): anew with every recovery, since entries it proved may not have reached the disk.
   */
  FollowerCommit followerCommit;
  /** Heard from a current leader within the minimum election timeout (thesis §4.2.3). */
  boolean leaderRecentlySeen;
  /** Heard from {@link #leaderId} within {@link ReplicaSettings#leaderSilence()}: worth sending work to. */
  boolean leaderContact;
  /**
   * The node is stopping: this replica hands leadership away, ignores TimeoutNow, and lets the
   * others elect a leader first (it campaigns only after {@link #DRAINING_PATIENCE} election
   * timeouts without a leader: it may hold entries no other replica has).
   */
  boolean draining;
  static final int DRAINING_PATIENCE = ElectionRules.DRAINING_PATIENCE;
  /** Election timeouts a draining follower let pass since it last heard from a leader. */
  int drainingTimeouts;
  StateMachine stateMachine;
  WriteQueue writes;
  /** Proposals this replica accepted as leader and has not answered yet. */
  final PendingProposals proposals;
  /** Reads and the traffic that prices them (see {@link ReplicaMetrics}). */
  final ReplicaMetrics metrics;
  /** Reads this replica holds until they are served, fail or time out. */
  final Reads reads;
  /** Writes this replica forwarded to its leader and has not answered yet. */
  final ProposalForwarding forwarding;
  /** Snapshots taken, compaction, and the leader's snapshot being received. */
  final Snapshotting snapshots = new Snapshotting(this);
  /** Its storage: recovering from it, and halting and recovering again when it fails. */
  private final Recovery recovery;
  /**
   * The environment failed during the message being handled (its state machine could not apply
   * an entry, a file operation failed): {@link FlushWrites} halts the replica once the handler
   * returns. Null: nothing failed.
   */
  private String pendingFault;
  private RoleHandler currentRole;

  /** Handles a peer message in the current role, after the shared term check. */
  interface RoleHandler {
    Behavior<Command> onRaftMessage(RaftMessage message);

    /** More of the log became durable on this replica. */
    default void onDurable() {}

    /** The replica leaves this role: release what only this role could complete. */
    default void onExit() {}

    /** The configuration in force changed (an entry appended or truncated, a snapshot installed). */
    default void onConfigChanged(Optional<Configuration> before, Optional<Configuration> after) {}

    /**
     * The node is stopping ({@link ReplicaControl.Drain}); a leader hands its leadership away.
     * Returns whether a hand-over is under way.
     */
    default boolean onDrain() {
      return false;
    }
  }

  private Replica(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      StashBuffer<Command> stash,
      ReplicaSettings settings,
      GroupMembers members,
      PeerSender transport,
      StorageFactory storageFactory,
      Supplier<StateMachine> stateMachineFactory,
      ReplicaLatency replicaLatency,
      Random random) {
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.members = members;
    this.transport = transport;
    this.stateMachineFactory = stateMachineFactory;
    this.random = random;
    this.log = ctx.getLog();
    this.metrics = new ReplicaMetrics(replicaLatency);
    // A random start per incarnation: an answer meant for an earlier incarnation's write cannot
    // match one of this incarnation's.
    this.forwarding = new ProposalForwarding(this, random.nextLong());
    this.reads = new Reads(this, random);
    this.proposals = new PendingProposals(members.self(), metrics);
    this.recovery = new Recovery(this, stash, storageFactory,
        new FaultBackoff(settings.storageRestartBackoff(), settings.storageRestartMaxBackoff()));
  }

  /** @param replicaLatency where the replica records its reads' latency; it outlives the replica's restarts */
  public static Behavior<Command> create(
      ReplicaSettings settings,
      GroupMembers members,
      PeerSender transport,
      StorageFactory storageFactory,
      Supplier<StateMachine> stateMachineFactory,
      ReplicaLatency replicaLatency,
      Random random) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    Behaviors.withStash(
                        settings.stashCapacity(),
                        stash -> {
                          Replica replica =
                              new Replica(ctx, timers, stash, settings, members, transport,
                                  storageFactory, stateMachineFactory, replicaLatency, random);
                          return Behaviors.intercept(() -> replica.new FlushWrites(), replica.recovery.start())
                              .narrow();
                        })));
  }

  /**
   * After each message, the storage mutations it made go out as one write (if none is in
   * flight). This is where write coalescing happens, so no handler has to remember to flush.
   */
  private final class FlushWrites extends BehaviorInterceptor<Command, Command> {
    FlushWrites() {
      super(Command.class);
    }

    @Override
    public Behavior<Command> aroundReceive(
        TypedActorContext<Command> context, Command msg, ReceiveTarget<Command> target) {
      Behavior<Command> next;
      try {
        next = target.apply(context, msg);
      } catch (UncheckedIOException e) {
        // The node's disk or files failed under this replica (restoring a snapshot, installing
        // the leader's): an environment failure like a failed apply, recovered from the same way.
        pendingFault = "an I/O operation failed handling " + msg.getClass().getSimpleName() + ": " + e.getMessage();
        next = Behaviors.same();
      }
      if (pendingFault != null) {
        String what = pendingFault;
        pendingFault = null;
        return recovery.haltOnFailure(what);
      }
      if (writes != null) writes.flush();
      return next;
    }

    @Override
    public Behavior<Command> aroundSignal(TypedActorContext<Command> context, Signal signal,
        SignalTarget<Command> target) {
      if (signal instanceof PostStop || signal instanceof PreRestart) {
        // Nobody waits on a replica that is gone (retired from its group, or restarting).
        String why = "replica " + members.self() + " of " + members.groupId() + " stopped";
        proposals.failAll(why);
        forwarding.failAll(why);
        reads.failAll(why + "; read from another replica");
        snapshots.stopped();
        if (stateMachine != null) stateMachine.close();
      }
      return target.apply(context, signal);
    }
  }

  // ---------------------------------------------------------------- recovery

  /**
   * Recovery = the latest snapshot (the applied and committed state up to its index) + the
   * entries after it, as {@code storage} recovered them.
   */
  void restore(Recovered r, ActorRef<StorageCommand> storage) {
    term = r.hardState().getTerm();
    votedFor = r.hardState().getVotedFor();
    recoveredTerm = term;
    recoveredVotedForSelf = votedFor.equals(members.self());
    leaderId = Optional.empty();
    followerCommit = new FollowerCommit(settings.rules().replication());
    snapshots.recovered(r.snapshot());
    if (stateMachine != null) stateMachine.close(); // the instance of before a storage restart
    if (r.snapshot().isPresent()) {
      io.chronik.raft.snapshot.SnapshotMeta meta = r.snapshot().get().meta();
      stateMachine = snapshots.restore(r.snapshot().get());
      raftLog = meta.config().isPresent()
          ? new RaftLog(meta.index(), meta.term(), meta.config().get(), meta.configIndex(), r.entries())
          : new RaftLog(meta.index(), meta.term(), r.entries());
      commitIndex = meta.index();
      lastApplied = meta.index();
    } else {
      stateMachine = stateMachineFactory.get();
      raftLog = new RaftLog(r.entries());
      commitIndex = 0;
      lastApplied = 0;
    }
    writes = new WriteQueue(ctx.getSelf(), storage, raftLog, metrics);
    configMayHaveChanged();
    membership.warnIfFilesDiffer();
    log.debug("group {} replica {} recovered term={} vote='{}' snapshot={} lastIndex={}", members.groupId(),
        members.self(), term, votedFor, raftLog.compactedIndex(), raftLog.lastIndex());
  }

  /**
   * The environment failed: stop serving. Everything waiting on this replica fails retryably,
   * its role ends, no lease or leader hint survives (recovering is a fresh start: a lease never
   * lifted would refuse every pre-vote, and no election could succeed), and nothing more is
   * written until it recovered.
   */
  void stopServing() {
    exitRole();
    proposals.failAll("this replica's disk failed");
    forwarding.failAll("this replica's disk failed");
    reads.failAll("replica " + members.self() + " is recovering from a disk failure");
    cancelRoleTimers();
    timers.cancel(LEADER_LEASE_TIMER);
    leaderRecentlySeen = false;
    leaderContact = false;
    if (leaderId.equals(Optional.of(members.self()))) leaderId = Optional.empty();
    writes = null;
  }

  /** The node is stopping; see {@link #draining}. */
  void startDraining() {
    if (!draining) log.info("group {} replica {}: draining (the node is stopping)", members.groupId(), members.self());
    draining = true;
  }

  // ---------------------------------------------------------------- shared role wiring

  /**
   * The handlers every role has. Role behaviours start from this builder and add their own.
   * Peer messages all go through {@link #step} with the role's handler.
   */
  BehaviorBuilder<Command> roleBehavior(RoleHandler role) {
    currentRole = role;
    return Behaviors.receive(Command.class)
        .onMessage(Reads.ReadTimedOut.class, reads::onTimedOut)
        .onMessage(Reads.RetryReadIndex.class, reads::onRetryReadIndex)
        .onMessage(Reads.SendReadIndex.class, reads::onSendReadIndex)
        .onMessage(ProposalForwarding.ForwardTimedOut.class, forwarding::onTimedOut)
        .onMessage(ProposalForwarding.OrphansTimedOut.class, forwarding::onOrphansTimedOut)
        .onMessage(ReplicaControl.Drain.class, m -> onDrain(m, role))
        .onMessage(ReadProtocol.GetReplicaMetrics.class, m -> {
          m.replyTo().tell(reads.snapshot());
          return Behaviors.same();
        })
        .onMessage(RaftMessage.class, m -> step(m, role))
        .onMessage(Persisted.class, m -> onPersisted(m, role))
        .onMessage(StorageProtocol.SnapshotSaved.class, snapshots::onSaved)
        .onMessage(StorageProtocol.SnapshotChunkStored.class, snapshots::onChunkStored)
        .onMessage(StorageStopped.class, recovery::onStorageStopped)
        .onMessage(StorageProtocol.StorageFailed.class, recovery::onStorageFailed)
        .onMessage(LocalQuery.class, this::onLocalQuery)
        .onMessage(GetStatus.class, m -> onGetStatus(m, role))
        .onMessage(LeaderLeaseExpired.class, m -> {
          leaderRecentlySeen = false;
          return Behaviors.same();
        })
        .onMessage(LeaderSilent.class, m -> {
          leaderContact = false;
          return Behaviors.same();
        })
        .onMessage(FaultQuiet.class, recovery::onFaultQuiet);
  }

  private Behavior<Command> onDrain(ReplicaControl.Drain d, RoleHandler role) {
    startDraining();
    boolean handingOver = role.onDrain();
    d.replyTo().tell(new ReplicaControl.DrainStatus(members.groupId(), role instanceof LeaderRole, handingOver));
    return Behaviors.same();
  }

  /**
   * Raft §5.1, in one place: a message from a newer term makes this replica a follower in that
   * term before the message is handled; a message from an older term is answered (so a stale
   * leader or candidate learns the current term) or dropped, never handled by the role. The
   * verdict is {@link ElectionRules#termCheck}'s; this method executes it.
   */
  Behavior<Command> step(RaftMessage m, RoleHandler role) {
    metrics.received();
    if (m.groupId().equals(members.groupId()) && !membership.acceptsFrom(m) && isLeaderWork(m) && role instanceof LeaderRole
        && !m.from().equals(members.self())) {
      // A member removed from the configuration still forwards its clients' work here: refuse it
      // at once, so that they retry elsewhere instead of waiting for an answer that never comes.
      return refuseLeaderWork(m);
    }
    if (!m.groupId().equals(members.groupId()) || !membership.acceptsFrom(m)) {
      log.warn("group {} replica {}: dropping {} from non-member {} of group {}", members.groupId(),
          members.self(), m.getClass().getSimpleName(), m.from(), m.groupId());
      return Behaviors.same();
    }
    ElectionRules.TermCheck check = settings.rules().election()
        .termCheck(term, raftLog, lease(role), incoming(m));
    return switch (check) {
      case HANDLE -> role.onRaftMessage(m);
      case IGNORE_IN_LEASE -> {
        log.debug("group {} replica {}: ignoring RequestVote term {} from {} within leader lease",
            members.groupId(), members.self(), m.term(), m.from());
        yield Behaviors.same();
      }
      case STALE -> {
        if (m instanceof ForwardedProposeResult res) {
          forwarding.onResult(res); // a fact about one write, whatever the term now
        } else {
          answerStale(m);
        }
        yield Behaviors.same();
      }
      case ADOPT_TERM_AND_FOLLOW_SENDER, ADOPT_TERM_AND_FOLLOW -> {
        updateTerm(m.term());
        yield becomeFollowerAndHandle(m, check == ElectionRules.TermCheck.ADOPT_TERM_AND_FOLLOW_SENDER
            ? Optional.of(m.from()) : Optional.empty());
      }
    };
  }

  /** A peer message as the election rules see it. */
  private static ElectionRules.Incoming incoming(RaftMessage m) {
    if (m instanceof RequestVote rv) return ElectionRules.Incoming.of(voteRequest(rv));
    if (m instanceof AppendEntries || m instanceof InstallSnapshot) {
      return ElectionRules.Incoming.of(m.term(), ElectionRules.Kind.FROM_LEADER);
    }
    if (m instanceof RequestVoteResponse r && r.preVote() && r.granted()) {
      return ElectionRules.Incoming.of(m.term(), ElectionRules.Kind.PRE_VOTE_GRANTED);
    }
    return ElectionRules.Incoming.of(m.term(), ElectionRules.Kind.OTHER);
  }

  private static ElectionRules.VoteRequest voteRequest(RequestVote rv) {
    return new ElectionRules.VoteRequest(rv.term(), rv.from(), rv.lastLogIndex(), rv.lastLogTerm(), rv.preVote(),
        rv.leadershipTransfer());
  }

  /** What the leader lease depends on, for a replica in {@code role}. */
  private ElectionRules.Lease lease(RoleHandler role) {
    return new ElectionRules.Lease(settings.checkQuorum(), role instanceof LeaderRole, leaderRecentlySeen);
  }

  /** See {@link ElectionRules#inLeaderLease}. */
  boolean inLeaderLease(RoleHandler role) {
    ElectionRules.Lease lease = lease(role);
    return settings.rules().election().inLeaderLease(lease.checkQuorum(), lease.isLeader(), lease.leaderRecentlySeen());
  }

  /**
   * Tells a stale leader, pre-candidate or reader the current term (so it steps down or retries);
   * other stale messages are dropped.
   */
  private void answerStale(RaftMessage m) {
    if (m instanceof AppendEntries ae) {
      send(ae.from(), AppendEntriesResponse.rejected(members.groupId(), term, members.self(), ae.prevLogIndex(), 0, 0,
          0));
    } else if (m instanceof RequestVote rv && rv.preVote()) {
      send(rv.from(), new RequestVoteResponse(members.groupId(), term, members.self(), false, true));
    } else if (m instanceof ReadIndexRequest req && currentRole instanceof LeaderRole leader) {
      leader.staleIndexRequest(req); // the read rules answer it (a refusal)
    } else if (m instanceof ReadIndexRequest || m instanceof ForwardedRead || m instanceof ForwardedPropose) {
      refuseLeaderWork(m);
    }
  }

  /**
   * A ReadIndex request, forwarded read or forwarded write reached a replica that is not the
   * leader of its term: say so at once, so that the sender retries instead of waiting.
   */
  Behavior<Command> refuseLeaderWork(RaftMessage m) {
    if (m instanceof ReadIndexRequest req) {
      send(req.from(), new ReadIndexResponse(members.groupId(), term, members.self(), req.requestId(), false, 0));
    } else if (m instanceof ForwardedRead fr) {
      send(fr.from(), new ForwardedReadResult(members.groupId(), term, members.self(), fr.readId(), false,
          ByteString.EMPTY, 0));
    } else if (m instanceof ForwardedPropose fp) {
      // fp may be a duplicate (or a late copy) of a write this replica appended while it led fp's
      // term, whose entry can still commit or already did: "not leader" (retry-safe) would be a lie.
      var refusal = settings.rules().forwarding().refuse(forwardedAppended, fp.from(), fp.proposalId(), fp.term(),
          new io.chronik.raft.core.ForwardingRules.Recovered(recoveredTerm, recoveredVotedForSelf));
      send(fp.from(), ProposalForwarding.result(members.groupId(), term, members.self(), fp.proposalId(),
          refusal == io.chronik.raft.core.ForwardingRules.Refusal.OUTCOME_UNKNOWN
              ? new ClientProtocol.OutcomeUnknown(members.self() + " stopped leading term " + term
                  + " before it could answer; the write may or may not have been applied")
              : new NotLeader(members.groupId(), Optional.empty())));
    }
    return Behaviors.same();
  }

  /**
   * Forwarded writes this incarnation appended as leader, in any term: a duplicated
   * ForwardedPropose is appended once, and a late copy is never answered "not leader"
   * ({@link io.chronik.raft.core.ForwardingRules}).
   */
  final io.chronik.raft.core.RecentIds forwardedAppended = new io.chronik.raft.core.RecentIds(4096);
  /** The term, and whether this replica had voted for itself in it, when this incarnation recovered. */
  private long recoveredTerm;
  private boolean recoveredVotedForSelf;

  /** Follower and candidate: answers from a leader to reads and writes this replica sent on. */
  Behavior<Command> onLeaderAnswer(RaftMessage m) {
    if (m instanceof ReadIndexResponse resp) reads.onReadIndexResponse(resp);
    if (m instanceof ForwardedReadResult res) reads.onForwardedResult(res);
    if (m instanceof ForwardedProposeResult res) forwarding.onResult(res);
    return Behaviors.same();
  }

  /** Answers from a leader that this role handles like a follower. */
  static boolean isLeaderAnswer(RaftMessage m) {
    return m instanceof ReadIndexResponse || m instanceof ForwardedReadResult || m instanceof ForwardedProposeResult;
  }

  /** Work only a leader does. */
  static boolean isLeaderWork(RaftMessage m) {
    return m instanceof ReadIndexRequest || m instanceof ForwardedRead || m instanceof ForwardedPropose;
  }

  static Behavior<Command> orElse(Behavior<Command> next, Behavior<Command> current) {
    return next == Behaviors.<Command>same() ? current : next;
  }

  // ---------------------------------------------------------------- role transitions

  Behavior<Command> becomeFollower(Optional<String> leader) {
    return enterFollower(new FollowerRole(this), leader);
  }

  /** Becomes a follower of the current term and lets the follower handle {@code m}. */
  Behavior<Command> becomeFollowerAndHandle(RaftMessage m, Optional<String> leader) {
    FollowerRole follower = new FollowerRole(this);
    Behavior<Command> followerBehavior = enterFollower(follower, leader);
    return orElse(follower.onRaftMessage(m), followerBehavior);
  }

  /**
   * Answers a RequestVote of this replica's term (or a pre-vote) as {@link ElectionRules#vote}
   * decides: a granted real vote is durable, and the election timer restarted, before the answer
   * leaves (persist before you speak).
   */
  Behavior<Command> answerVote(RequestVote rv, boolean inLease) {
    ElectionRules.VoteDecision d = settings.rules().election().vote(
        new ElectionRules.Voter(term, votedFor, raftLog.lastIndex(), raftLog.lastTerm(), inLease), voteRequest(rv));
    if (d.recordVote()) {
      vote(rv.from());
      resetElectionTimer();
    }
    sendAfterPersist(rv.from(),
        new RequestVoteResponse(members.groupId(), d.responseTerm(), members.self(), d.granted(), rv.preVote()));
    return Behaviors.same();
  }

  private Behavior<Command> enterFollower(FollowerRole follower, Optional<String> leader) {
    exitRole();
    cancelRoleTimers();
    failPendingProposals("leadership changed");
    leaderId = leader;
    leaderContact = false;
    resetElectionTimer();
    return follower.behavior();
  }

  Behavior<Command> becomeCandidate(boolean preVote) {
    return becomeCandidate(preVote, false);
  }

  /** {@code transfer}: the leader asked for this election ({@link TimeoutNow}); no PreVote then. */
  Behavior<Command> becomeCandidate(boolean preVote, boolean transfer) {
    exitRole();
    cancelRoleTimers();
    failPendingProposals("leadership changed");
    leaderId = Optional.empty();
    leaderContact = false;
    resetElectionTimer();
    return new CandidateRole(this, preVote, transfer).start();
  }

  Behavior<Command> becomeLeader() {
    exitRole();
    cancelRoleTimers();
    leaderId = Optional.of(members.self());
    leaderContact = false;
    LeaderRole leader = new LeaderRole(this);
    currentRole = leader; // so that a configuration it appends while starting reaches it
    return leader.start();
  }

  private void exitRole() {
    if (currentRole != null) currentRole.onExit();
    currentRole = null;
    leaderMayHaveChanged("the leader changed");
  }

  /** The term and leader ("" for none) whose loss reads and forwarded writes were last told about. */
  private long notifiedTerm;
  private String notifiedLeader = "";

  /**
   * Reads and forwarded writes waiting on a leader fail (retryably) when the leadership they rely
   * on — this term's leader — may have changed. Once per change: a new term, a role change and a
   * new leader's first message may all report the same one.
   */
  private void leaderMayHaveChanged(String why) {
    String leader = leaderId.orElse("");
    if (term == notifiedTerm && leader.equals(notifiedLeader)) return;
    notifiedTerm = term;
    notifiedLeader = leader;
    reads.onLeaderChange(why);
    forwarding.onLeaderChange(why);
  }

  private void cancelRoleTimers() {
    timers.cancel(ELECTION_TIMER);
    timers.cancel(HEARTBEAT_TIMER);
    timers.cancel(CHECK_QUORUM_TIMER);
    timers.cancel(LeaderRole.BALANCE_TIMER);
    timers.cancel(LeaderRole.TRANSFER_TIMER);
    timers.cancel(LeaderRole.SNAPSHOT_PACE_TIMER);
    timers.cancel(LEADER_CONTACT_TIMER);
  }

  private void failPendingProposals(String why) {
    proposals.failAll(why);
  }

  /** Carries out what the election rules decided when the election timer fired, in any role. */
  Behavior<Command> onElectionTimeout(ElectionRules.TimeoutAction action) {
    if (action != ElectionRules.TimeoutAction.WAIT && !membership.promotable()) {
      // A learner, a removed member or a replica that knows no configuration never campaigns
      // (etcd promotable()): it waits for a leader's log instead.
      resetElectionTimer();
      return Behaviors.same();
    }
    return switch (action) {
      case WAIT -> {
        resetElectionTimer();
        yield Behaviors.same();
      }
      case PRE_VOTE -> becomeCandidate(true);
      case CAMPAIGN -> becomeCandidate(false);
    };
  }

  /** Restarts the election timer, randomized by {@link ElectionRules#electionTimeout}. */
  void resetElectionTimer() {
    Duration timeout = settings.rules().election().electionTimeout(settings.electionTimeout(), random.nextDouble());
    timers.startSingleTimer(ELECTION_TIMER, ElectionTimeout.INSTANCE, timeout);
  }

  /** Records contact from the current leader: resets the election timer and the vote lease. */
  void heardFromLeader(String leader) {
    if (leaderId.isPresent() && !leaderId.get().equals(leader)) leaderMayHaveChanged("the leader changed");
    leaderId = Optional.of(leader);
    notifiedTerm = term; // what reads sent from now on rely on
    notifiedLeader = leader;
    leaderRecentlySeen = true;
    leaderContact = true;
    drainingTimeouts = 0;
    resetElectionTimer();
    timers.startSingleTimer(LEADER_LEASE_TIMER, LeaderLeaseExpired.INSTANCE, settings.electionTimeout());
    timers.startSingleTimer(LEADER_CONTACT_TIMER, LeaderSilent.INSTANCE, settings.leaderSilence());
  }

  /** The leader this replica hears from now, if any: where a follower sends writes and reads. */
  Optional<String> leaderInContact() {
    return leaderContact ? leaderId : Optional.empty();
  }

  // ---------------------------------------------------------------- durable state

  /** Moves to a newer term with no vote; durable before any reply that reveals it. */
  void updateTerm(long newTerm) {
    if (newTerm <= term) throw new IllegalStateException("term must grow: " + term + " -> " + newTerm);
    term = newTerm;
    votedFor = "";
    writes.hardState(hardState());
    leaderMayHaveChanged("a new term began");
  }

  void vote(String candidate) {
    if (!votedFor.isEmpty() && !votedFor.equals(candidate)) {
      throw new IllegalStateException("double vote in term " + term + ": " + votedFor + " then " + candidate);
    }
    votedFor = candidate;
    writes.hardState(hardState());
  }

  HardState hardState() {
    return HardState.newBuilder().setTerm(term).setVotedFor(votedFor).build();
  }

  // The log changes only through the methods below, each of which keeps the in-memory log and
  // the write queue (what goes to disk next) in step: no role or helper touches either directly.

  /** A leader's new entry of its term at the end of the log; durable with the next write. */
  LogEntry appendNew(ByteString command, EntryKind kind) {
    LogEntry entry = LogEntry.newBuilder()
        .setIndex(raftLog.lastIndex() + 1)
        .setTerm(term)
        .setKind(kind)
        .setCommand(command)
        .build();
    raftLog.append(entry);
    writes.append(entry);
    if (kind == EntryKind.ENTRY_KIND_CONFIG) configMayHaveChanged();
    return entry;
  }

  /**
   * Carries out an accepted AppendEntries ({@link io.chronik.raft.core.ReplicationRules#onAppendEntries}):
   * drops the conflicting suffix, appends what is new, commits up to what the leader and the new
   * entries allow.
   */
  void follow(io.chronik.raft.core.ReplicationRules.AppendDecision d, String leader) {
    if (d.truncateFrom() != 0) {
      if (d.truncateFrom() <= commitIndex) {
        // Leader Completeness (§5.4) says this cannot happen; acting on it would lose a
        // committed entry, so refuse loudly instead.
        throw new IllegalStateException("group " + members.groupId() + ": leader " + leader
            + " of term " + term + " conflicts with committed entry " + d.truncateFrom());
      }
      truncateLogFrom(d.truncateFrom());
    }
    if (!d.toAppend().isEmpty()) {
      raftLog.appendAll(d.toAppend());
      writes.append(d.toAppend());
      configMayHaveChanged();
    }
    commitTo(d.commitTo());
  }

  /** Entries from {@code index} on are on another branch than the leader's (or a snapshot's). */
  void truncateLogFrom(long index) {
    raftLog.truncateFrom(index);
    writes.truncateFrom(index);
    configMayHaveChanged(); // an uncommitted configuration among them is no longer in force
  }

  /** Drops entries up to {@code index} from memory (a durable snapshot covers them). */
  void compactLogTo(long index) {
    raftLog.compactTo(index, raftLog.termAt(index));
  }

  /**
   * The leader's snapshot is durable here and becomes the state: the state machine restored from
   * it, the log starting after it ({@code keepSuffix}: the entries after it are kept, Figure 13
   * step 6), and everything up to it committed and applied.
   */
  void installSnapshot(StateMachine restored, io.chronik.raft.snapshot.SnapshotMeta meta, boolean keepSuffix) {
    StateMachine previous = stateMachine;
    stateMachine = restored;
    previous.close();
    if (keepSuffix) {
      raftLog.compactTo(meta.index(), meta.term());
    } else {
      if (raftLog.lastIndex() > meta.index()) writes.truncateFrom(meta.index() + 1);
      if (meta.config().isPresent()) {
        raftLog.resetTo(meta.index(), meta.term(), meta.config().get(), meta.configIndex());
      } else {
        raftLog.resetTo(meta.index(), meta.term());
      }
    }
    writes.covered(meta.index());
    lastApplied = meta.index();
    commitIndex = Math.max(commitIndex, meta.index());
    configMayHaveChanged();
  }

  /** Re-reads the configuration in force from the log; tells the role when it changed. */
  private void configMayHaveChanged() {
    membership.reread().ifPresent(before -> {
      if (currentRole != null) currentRole.onConfigChanged(before, membership.config());
    });
  }

  /** A draining follower let one more election timeout pass without a leader. */
  void countDrainingTimeout() {
    if (draining) drainingTimeouts++;
  }

  private Behavior<Command> onPersisted(Persisted p, RoleHandler role) {
    if (writes.persisted(p.writeId())) role.onDurable();
    return Behaviors.same();
  }

  // ---------------------------------------------------------------- apply

  /**
   * Commits what following showed to be committed ({@link FollowerCommit}): never beyond this log,
   * whose end a snapshot that replaced it may have moved back (the snapshot is committed itself).
   */
  void commitKnown(long committable) {
    commitTo(Math.min(committable, raftLog.lastIndex()));
  }

  /** Advances the commit index and applies, in order, every newly committed entry exactly once. */
  void commitTo(long index) {
    if (index <= commitIndex) return;
    if (index > raftLog.lastIndex()) {
      throw new IllegalStateException("commit " + index + " beyond last log index " + raftLog.lastIndex());
    }
    commitIndex = index;
    applyCommitted();
  }

  /**
   * Applies every committed entry not applied yet, then lets waiting reads and snapshots look.
   * An entry whose apply throws (the environment failed, see {@link StateMachine}) is not applied:
   * nothing after it is, and the replica halts and recovers from disk ({@link Recovery}).
   */
  void applyCommitted() {
    if (pendingFault != null) return;
    long appliedBytes = 0;
    while (lastApplied < commitIndex) {
      LogEntry e = raftLog.entry(lastApplied + 1);
      ByteString result;
      try {
        // A configuration is in force from its append (thesis §4.1); a no-op carries nothing.
        result = e.getKind() == EntryKind.ENTRY_KIND_COMMAND ? stateMachine.apply(e.getIndex(), e.getCommand())
            : ByteString.EMPTY;
      } catch (RuntimeException ex) {
        pendingFault = "its state machine failed applying entry " + e.getIndex() + ": " + Recovery.describe(ex);
        log.debug("group {} replica {}: applying entry {} failed", members.groupId(), members.self(), e.getIndex(), ex);
        return;
      }
      lastApplied = e.getIndex();
      appliedBytes += e.getCommand().size();
      proposals.applied(e.getIndex(), e.getTerm(), result);
    }
    reads.onApplied();
    snapshots.afterApply(appliedBytes);
  }

  ActorRef<StorageCommand> storage() {
    return recovery.storage();
  }

  StateMachine newStateMachine() {
    return stateMachineFactory.get();
  }

  // ---------------------------------------------------------------- client reads and status

  Behavior<Command> onLocalQuery(LocalQuery q) {
    q.replyTo().tell(new QueryResult(stateMachine.query(q.query()), lastApplied));
    return Behaviors.same();
  }

  private Behavior<Command> onGetStatus(GetStatus g, RoleHandler role) {
    g.replyTo().tell(status(roleName(role)));
    return Behaviors.same();
  }

  Status status(String role) {
    return new Status(members.groupId(), members.self(), role, term, leaderId, commitIndex, lastApplied,
        raftLog == null ? 0 : raftLog.lastIndex(), snapshots.latest().map(s -> s.meta().index()).orElse(0L),
        stateMachine == null ? java.util.Map.of() : stateMachine.describe(), recovery.fault(), membership.config(),
        raftLog == null ? 0 : raftLog.configIndex());
  }

  private static String roleName(RoleHandler role) {
    if (role instanceof LeaderRole) return "leader";
    if (role instanceof CandidateRole c) return c.preVote ? "pre-candidate" : "candidate";
    return "follower";
  }

  /** The reply to a membership change on a replica that is not the leader. */
  Behavior<Command> refuseChange(ReplicaControl.ChangeConfig c) {
    c.replyTo().tell(new ReplicaControl.ConfigChangeNotLeader(members.groupId(), leaderId));
    return Behaviors.same();
  }

  /** The reply to a proposal on a replica that is not the leader. */
  Behavior<Command> rejectProposal(Propose p) {
    p.replyTo().tell(new NotLeader(members.groupId(), leaderId));
    return Behaviors.same();
  }

  // ---------------------------------------------------------------- sending

  void send(String to, RaftMessage message) {
    metrics.sent();
    transport.send(new Envelope(to, membership.storeOf(to), message));
  }

  /** Sends once everything this replica has promised so far is durable. */
  void sendAfterPersist(String to, RaftMessage message) {
    writes.afterPersist(() -> send(to, message));
  }

  /** Sends to every other voter (a vote request) once everything promised so far is durable. */
  void broadcastToVotersAfterPersist(Function<String, RaftMessage> message) {
    for (String peer : membership.otherVoters()) sendAfterPersist(peer, message.apply(peer));
  }
}
