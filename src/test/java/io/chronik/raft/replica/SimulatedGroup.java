package io.chronik.raft.replica;

import akka.actor.testkit.typed.Effect;
import akka.actor.testkit.typed.javadsl.BehaviorTestKit;
import akka.actor.testkit.typed.javadsl.TestInbox;
import akka.actor.typed.Behavior;
import com.google.protobuf.ByteString;
import io.chronik.raft.check.HistoryOp;
import io.chronik.raft.check.LinearizabilityChecker;
import io.chronik.raft.check.RegisterModel;
import io.chronik.raft.core.ChangeRequest;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.core.RaftRules;
import io.chronik.raft.replica.ClientProtocol.GetStatus;
import io.chronik.raft.replica.ClientProtocol.NotLeader;
import io.chronik.raft.replica.ClientProtocol.OutcomeUnknown;
import io.chronik.raft.replica.ClientProtocol.ProposalRejected;
import io.chronik.raft.replica.ClientProtocol.Propose;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import io.chronik.raft.replica.ClientProtocol.Status;
import io.chronik.raft.replica.StorageProtocol.CompleteSnapshot;
import io.chronik.raft.replica.StorageProtocol.DiscardSnapshot;
import io.chronik.raft.replica.StorageProtocol.Persist;
import io.chronik.raft.replica.StorageProtocol.Persisted;
import io.chronik.raft.replica.StorageProtocol.Recover;
import io.chronik.raft.replica.StorageProtocol.Recovered;
import io.chronik.raft.replica.StorageProtocol.SaveSnapshot;
import io.chronik.raft.replica.StorageProtocol.SnapshotChunkStored;
import io.chronik.raft.replica.StorageProtocol.SnapshotSaved;
import io.chronik.raft.replica.StorageProtocol.StorageCommand;
import io.chronik.raft.replica.StorageProtocol.StoreSnapshotChunk;
import io.chronik.raft.rpc.EntryKind;
import io.chronik.raft.rpc.GroupConfig;
import io.chronik.raft.rpc.LogEntry;
import io.chronik.raft.snapshot.InMemorySnapshot;
import io.chronik.raft.snapshot.SnapshotData;
import io.chronik.raft.snapshot.SnapshotReceiver;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.statemachine.proto.KvResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * L0 deterministic simulation: the real replica behaviours, one {@link BehaviorTestKit} each, on
 * virtual time. This harness is the network (latency, drops, duplicates, reordering, partitions),
 * the clock (timers fire with per-node skew), the disk ({@link SimDisk}: honest or lying) and the
 * process (crash, restart, pause). Everything random comes from one seed, so a schedule replays
 * exactly. {@link SimInvariants} are checked as it runs and at the end.
 */
final class SimulatedGroup {
  static final String GROUP = "g";

  /** The faults of one schedule. */
  record Faults(double dropRate, double duplicateRate, double reorderRate, boolean partitions,
      boolean crashes, boolean pauses, double storageFailureRate, boolean lyingDisk, boolean forgeReadAcks,
      boolean leadershipChanges, boolean membershipChanges) {

    Faults(double dropRate, double duplicateRate, double reorderRate, boolean partitions, boolean crashes,
        boolean pauses, double storageFailureRate, boolean lyingDisk, boolean forgeReadAcks,
        boolean leadershipChanges) {
      this(dropRate, duplicateRate, reorderRate, partitions, crashes, pauses, storageFailureRate, lyingDisk,
          forgeReadAcks, leadershipChanges, false);
    }

    /**
     * {@code leadershipChanges}: the group has a preferred leader that leadership is handed back
     * to (leader balancing), leaders are told to hand over to random peers, and nodes drain as if
     * stopping: TimeoutNow elections amid everything else.
     *
     * <p>{@code membershipChanges}: the group has one or two spare nodes, and an operator changes
     * its members through the leader (learners added, promoted, replacing voters, voters and
     * learners removed, the leader asked to remove itself, the leader crashed amid a change,
     * removed nodes wiped and added again as new members).
     */
    static Faults random(Random rnd, boolean lyingDisk, boolean forgeReadAcks) {
      return new Faults(rnd.nextDouble() * 0.3, rnd.nextDouble() * 0.1, rnd.nextDouble() * 0.3,
          forgeReadAcks || rnd.nextDouble() < 0.7, lyingDisk || rnd.nextDouble() < 0.6, rnd.nextDouble() < 0.4,
          lyingDisk || rnd.nextDouble() < 0.7 ? 0 : 0.02, lyingDisk, forgeReadAcks, rnd.nextDouble() < 0.5,
          rnd.nextDouble() < 0.6 && !Boolean.getBoolean("chronik.sim.no-membership"));
    }
  }

  /** What one schedule did. */
  static final class Stats {
    long messages, drops, duplicates, partitions, crashes, pauses, storageFailures, applyFailures, transfers, drains;
    long snapshots, snapshotsInstalled, snapshotChunks, snapshotsDiscarded;
    /** Snapshot bytes the leaders sent, in schedules with a snapshot budget. */
    long snapshotBytesThrottled;
    /** Committed membership changes (a joint change counts once), requests sent, and what they met. */
    long membershipChanges, membershipRequests, leaderRemovalsRefused, crashesMidChange, readds, wipes;
    long proposalsAcknowledged, proposalsUnknown, proposalsSent;
    long readsServed, readsFailed, historyOps, checkerMillis;
    boolean converged;

    long faults() {
      return drops + duplicates + partitions + crashes + pauses + storageFailures + applyFailures + transfers + drains
          + membershipRequests;
    }
  }

  private record Event(long time, long seq, String target, Runnable action) {}

  private final class Node {
    final String id;
    /** The member this node hosts (null: none, a spare), its disk, its store and what its files name. */
    String member;
    SimDisk disk = new SimDisk();
    String store = Configuration.LEGACY_STORE;
    int stores;
    Set<String> files = Set.of();
    /** Members this node hosted once and dropped ({@code member@store}): never hosted again. */
    final Set<String> retired = new java.util.HashSet<>();
    /**
     * The replica's log as far as the harness saw it: every write handed to storage, and the
     * entries it sent as leader. A leader's entries past its commit index are all here (it sends
     * or persists an entry before it can count it committed), which is what {@link #observe} reads.
     */
    final java.util.TreeMap<Long, LogEntry> shadow = new java.util.TreeMap<>();
    final java.util.TreeMap<Long, Configuration> shadowConfigs = new java.util.TreeMap<>();
    /**
     * What the replica reported after its last step ({@link #observe}): the configuration in force
     * (null: none, or not asked yet), its role, term and commit index (-1: not seen since it started).
     */
    Configuration config;
    String role = "";
    long term;
    long commitSeen = -1;
    /** Between a Recover sent to storage and its Recovered delivered: a status request would be stashed. */
    boolean recovering;
    final TestInbox<Envelope> net = TestInbox.create();
    final TestInbox<StorageCommand> storage = TestInbox.create();
    final Map<Object, Long> timers = new HashMap<>();
    final double clockSkew;
    BehaviorTestKit<Command> kit;
    RecordingStateMachine stateMachine;
    int generation;
    int storageIncarnation;
    boolean storageDown;
    long storageFreeAt;
    long pausedUntil;
    boolean draining;
    Persist inFlightWrite;
    /** Snapshots being written: each lands or not when the process dies meanwhile. */
    final List<SnapshotData> savesInFlight = new ArrayList<>();
    SnapshotReceiver receiver = new SnapshotReceiver(SnapshotReceiver::inMemory);

    Node(String id, double clockSkew) {
      this.id = id;
      this.clockSkew = clockSkew;
    }

    boolean alive() {
      return kit != null;
    }
  }

  private final class Client {
    final int id;
    int seq;
    String target;
    Op op;
    final Map<String, String> lastSeen = new HashMap<>();

    Client(int id, String target) {
      this.id = id;
      this.target = target;
    }
  }

  private enum Kind { PUT, CAS, READ }

  /** One client operation, from its invocation to its end (or abandonment). */
  private static final class Op {
    final Kind kind;
    final String key;
    final String value;
    final String expected;
    final ByteString command;
    final long call;
    final TestInbox<ProposeReply> inbox = TestInbox.create();
    final TestInbox<ReadProtocol.ReadReply> readInbox = TestInbox.create();

    Op(Kind kind, String key, String value, String expected, ByteString command, long call) {
      this.kind = kind;
      this.key = key;
      this.value = value;
      this.expected = expected;
      this.command = command;
      this.call = call;
    }
  }

  /** A membership change the operator asked the leader for, waiting for its answer. */
  private record PendingChange(ChangeRequest request, String leader, long sentAt,
      TestInbox<ReplicaControl.ChangeConfigReply> inbox) {}

  final long seed;
  final Faults faults;
  final ReadPolicy readPolicy;
  private final Map<String, List<HistoryOp<RegisterModel.Op>>> history = new java.util.TreeMap<>();
  final Stats stats = new Stats();
  final SimInvariants invariants = new SimInvariants();
  private final Random rnd;
  private final ReplicaSettings settings;
  /** The initial members (bare node ids, replica 0 each), what the configuration files name. */
  private final List<String> ids = new ArrayList<>();
  /** Every node, the spares after the initial members: partitions place nodes, not members. */
  private final List<String> nodeIds = new ArrayList<>();
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private PendingChange pendingChange;
  private final PriorityQueue<Event> queue = new PriorityQueue<>(
      (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private final List<Client> clients = new ArrayList<>();
  private final List<Op> abandoned = new ArrayList<>();
  private final ArrayDeque<String> trace = new ArrayDeque<>();
  private long now;
  private long seq;
  /** Orders history events within one virtual millisecond: see {@link #historyTime()}. */
  private long historyEvents;
  private long timerGeneration;
  private int[] side;
  private int bridge = -1;
  private boolean faultPhase = true;
  private String lastLeader;

  SimulatedGroup(long seed, int replicas, Faults faults, ReadPolicy readPolicy) {
    this(seed, replicas, faults, readPolicy, false);
  }

  /**
   * {@code snapshots}: most schedules snapshot every few dozen entries, keep few entries behind
   * the snapshot point and send snapshots in small chunks, so that compaction, restarts from a
   * snapshot and multi-chunk InstallSnapshot (with its losses, duplicates and leader changes)
   * happen many times per schedule.
   */
  SimulatedGroup(long seed, int replicas, Faults faults, ReadPolicy readPolicy, boolean snapshots) {
    this(seed, replicas, faults, readPolicy, snapshots, RaftRules.STANDARD);
  }

  /**
   * {@code rules}: the rules every replica runs (a mutant's, to show the checks catch it).
   *
   * <p>Schedules with membership changes take, send and install snapshots too (they carry the
   * configuration); {@code -Dchronik.sim.membership-snapshots=false} leaves them out.
   */
  SimulatedGroup(long seed, int replicas, Faults faults, ReadPolicy readPolicy, boolean snapshots, RaftRules rules) {
    this(seed, replicas, -1, faults, readPolicy, snapshots, rules);
  }

  /** {@code spares}: nodes that host no member at first (-1: one or two with membership changes, else none). */
  SimulatedGroup(long seed, int replicas, int spares, Faults faults, ReadPolicy readPolicy, boolean snapshots,
      RaftRules rules) {
    this.seed = seed;
    this.rnd = new Random(seed);
    this.faults = faults;
    this.readPolicy = readPolicy;
    boolean snapshotting = snapshots && rnd.nextDouble() < 0.85;
    if (faults.membershipChanges()
        && !Boolean.parseBoolean(System.getProperty("chronik.sim.membership-snapshots", "true"))) {
      snapshotting = false;
    }
    ReplicaSettings.Snapshots snapshotSettings = snapshotting
        ? new ReplicaSettings.Snapshots(3 + rnd.nextInt(40), 1 << 20, rnd.nextInt(6), 8 + rnd.nextInt(300))
        : ReplicaSettings.Snapshots.DEFAULT;
    // Half the snapshotting schedules send snapshots within a budget on the virtual clock (drawn
    // apart, so that every seed keeps the schedule it had before).
    java.util.SplittableRandom throttled = new java.util.SplittableRandom(seed ^ 0x5eed7417L);
    if (snapshotting && throttled.nextBoolean()) {
      snapshotSettings = new ReplicaSettings.Snapshots(snapshotSettings.entries(), snapshotSettings.bytes(),
          snapshotSettings.retainedEntries(), snapshotSettings.chunkBytes(),
          new SnapshotThrottle(500 + throttled.nextInt(20_000), snapshotSettings.chunkBytes(), () -> now * 1_000_000L));
    }
    this.settings = new ReplicaSettings(Duration.ofMillis(300), Duration.ofMillis(50), 1 << 20, 4096, 16, 4,
        true, true, 10_000, Duration.ofMillis(100), Duration.ofMillis(1000), ReadPolicy.SAFE, 10_000,
        Duration.ofSeconds(5), faults.leadershipChanges(), Duration.ofMillis(400)).withSnapshots(snapshotSettings)
        .withRules(rules);
    for (int i = 1; i <= replicas; i++) ids.add("n" + i);
    if (spares < 0) spares = faults.membershipChanges() ? 1 + rnd.nextInt(2) : 0;
    for (int i = 1; i <= replicas + spares; i++) nodeIds.add("n" + i);
    for (String id : nodeIds) {
      Node n = new Node(id, 0.9 + rnd.nextDouble() * 0.2);
      if (ids.contains(id)) {
        n.member = id;
        n.files = Set.copyOf(ids);
      } else {
        n.store = id + "-s" + ++n.stores;
      }
      nodes.put(id, n);
    }
    side = new int[nodeIds.size()];
  }

  static SimulatedGroup random(long seed, boolean lyingDisk) {
    return random(seed, lyingDisk, ReadPolicy.SAFE, false);
  }

  static SimulatedGroup random(long seed, boolean lyingDisk, ReadPolicy policy, boolean forgeReadAcks) {
    return random(seed, lyingDisk, policy, forgeReadAcks, RaftRules.STANDARD);
  }

  /** The same schedule as {@link #random(long, boolean, ReadPolicy, boolean)}, on replicas that follow {@code rules}. */
  static SimulatedGroup random(long seed, boolean lyingDisk, ReadPolicy policy, boolean forgeReadAcks, RaftRules rules) {
    Random r = new Random(seed * 31 + 7);
    return new SimulatedGroup(seed, r.nextBoolean() ? 3 : 5, Faults.random(r, lyingDisk, forgeReadAcks), policy, true,
        rules);
  }

  /** Runs faults and a client workload for {@code faultMillis}, then heals and waits to converge. */
  SimulatedGroup run(long faultMillis, int clientCount) {
    trace("seed=" + seed + " replicas=" + ids.size() + " nodes=" + nodeIds.size() + " " + faults + " "
        + settings.snapshots());
    for (Node n : nodes.values()) if (n.member != null) start(n);
    for (int c = 0; c < clientCount; c++) {
      Client client = new Client(c, anyHosted());
      clients.add(client);
      at(now + 50 + rnd.nextInt(200), null, () -> nextOp(client));
    }
    scheduleFaults(faultMillis);
    runUntil(faultMillis);
    return settle();
  }

  /**
   * Heals every fault and waits for the group to converge, then checks what must hold at the end:
   * no partial snapshot left on a member, every acknowledged write on every member, the committed
   * configurations, no read left pending, linearizable histories.
   */
  SimulatedGroup settle() {
    heal();
    long deadline = now + 30_000;
    while (invariants.violations.isEmpty() && now < deadline) {
      runUntil(now + 100);
      if (converged()) {
        stats.converged = true;
        break;
      }
    }
    if (stats.converged) {
      // Issue 19: every replica caught up, so no transfer can still be under way; a partial
      // snapshot left in a storage is one a leader gave up that its follower never dropped.
      // A removed member may keep what it had received: nobody tells it anything any more.
      for (String member : finalMembers) {
        Node n = nodeOf(member);
        n.receiver.receiving().ifPresent(meta -> invariants.violations.add("snapshot transfer left behind: "
            + member + " still holds part of " + meta + " after converging"));
      }
    }
    if (invariants.violations.isEmpty() && !stats.converged) {
      StringBuilder states = new StringBuilder();
      for (Node n : nodes.values()) {
        states.append("\n  ").append(n.id).append(" (").append(n.member).append("): ")
            .append(n.alive() ? status(n) + " " + configOf(n) : "down");
      }
      for (Client c : clients) if (c.op != null) states.append("\n  client ").append(c.id).append(" waits on ").append(c.target);
      invariants.violations.add("liveness: no convergence within 30 s of healing all faults" + states);
    }
    finalChecks();
    return this;
  }

  // ------------------------------------------------------------------ scripting (scenario tests)

  /** A group with a reliable network and honest disks, driven step by step by a test. */
  static SimulatedGroup scripted(long seed, int replicas) {
    return new SimulatedGroup(seed, replicas, new Faults(0, 0, 0, false, false, false, 0, false, false, false),
        ReadPolicy.SAFE);
  }

  /**
   * Like {@link #scripted}, with {@code spares} nodes that host nothing until the script starts
   * them, and every replica on {@code rules}.
   */
  static SimulatedGroup scripted(long seed, int replicas, int spares, RaftRules rules) {
    return new SimulatedGroup(seed, replicas, spares,
        new Faults(0, 0, 0, false, false, false, 0, false, false, false), ReadPolicy.SAFE, false, rules);
  }

  /** Like {@link #scripted}, with leader balancing on and {@code n1} the preferred leader. */
  static SimulatedGroup scriptedWithPreferredLeader(long seed, int replicas) {
    return new SimulatedGroup(seed, replicas, new Faults(0, 0, 0, false, false, false, 0, false, false, true),
        ReadPolicy.SAFE);
  }

  SimulatedGroup startAll() {
    for (Node n : nodes.values()) if (n.member != null) start(n);
    return this;
  }

  void runFor(long millis) {
    runUntil(now + millis);
    if (!invariants.violations.isEmpty()) throw new AssertionError("safety violated: " + invariants.violations);
  }

  /** Runs {@code millis} of virtual time, or until a violation (unlike {@link #runFor}, it does not throw). */
  void advance(long millis) {
    runUntil(now + millis);
  }

  /** Runs until a live leader has committed an entry of its term, at most {@code maxMillis}; null: none did. */
  String awaitLeader(long maxMillis) {
    long end = now + maxMillis;
    while (now < end && invariants.violations.isEmpty()) {
      runUntil(now + 50);
      java.util.Optional<String> leader = leader();
      if (leader.isPresent() && committedInTerm(nodeOf(leader.get()), status(nodeOf(leader.get())))) {
        return leader.get();
      }
    }
    return null;
  }

  /** Whether the entry at {@code s}'s commit index is of its current term (so it committed one of its own). */
  private static boolean committedInTerm(Node n, Status s) {
    LogEntry atCommit = s == null ? null : n.shadow.get(s.commitIndex());
    return atCommit != null && atCommit.getTerm() == s.term();
  }

  /**
   * Offers {@code leader} the initial members' files configuration to record in its log (what a
   * node does once every voter's node agrees on the files): from then on the log names the voters.
   */
  void recordFilesConfiguration(String leader) {
    tell(leader, new ReplicaControl.RecordFilesConfiguration(Configuration.legacy(Set.copyOf(ids))));
  }

  /**
   * Puts {@code key = value} through the leader (following its hints) and waits for the
   * acknowledgement, at most {@code maxMillis}; the write counts as acknowledged. Returns its index.
   */
  long write(String key, String value, long maxMillis) {
    ByteString command = KeyValueStateMachine.put(key, ByteString.copyFromUtf8(value));
    long end = now + maxMillis;
    String target = leader().orElse(ids.get(0));
    while (now < end && invariants.violations.isEmpty()) {
      TestInbox<ProposeReply> inbox = propose(target, command);
      while (!inbox.hasMessages() && now < end && invariants.violations.isEmpty()) runUntil(now + 5);
      if (!inbox.hasMessages()) break;
      ProposeReply reply = inbox.receiveMessage();
      if (reply instanceof Proposed p) {
        invariants.onAcknowledged(p.index(), command);
        return p.index();
      }
      if (!(reply instanceof NotLeader nl)) throw new AssertionError("write " + key + "=" + value + ": " + reply);
      target = nl.leaderHint().orElse(target);
      runUntil(now + 20);
    }
    throw new AssertionError("write " + key + "=" + value + " not acknowledged within " + maxMillis + " ms: "
        + invariants.violations);
  }

  /** Cuts the nodes {@code cut} off from the others (both directions); they still reach each other. */
  void cutOff(Set<String> cut) {
    side = new int[nodeIds.size()];
    bridge = -1;
    for (String id : cut) side[nodeIds.indexOf(id)] = 1;
    trace("cut off " + cut);
  }

  /**
   * The operator edits node {@code id}'s configuration files to name {@code files} and (re)starts
   * it; a spare node starts hosting its bare id, on its empty disk.
   */
  void restartWithFiles(String id, Set<String> files) {
    Node n = nodes.get(id);
    if (n.member == null) n.member = id;
    restartWithFiles(n, files);
  }

  /**
   * Leader Completeness on acknowledged writes, now: a live leader that has committed an entry of
   * its term and applied all it committed holds every acknowledged write at its index. Sound for
   * the leader of the highest term (a deposed one still leading may lack later writes), so a
   * script calls it where no leader was deposed. Returns how many leaders it checked.
   */
  int checkLeadersHoldAcknowledged() {
    int checked = 0;
    for (Node n : nodes.values()) {
      if (!n.alive()) continue;
      Status s = status(n);
      if (s == null || !s.role().equals("leader") || s.appliedIndex() != s.commitIndex() || !committedInTerm(n, s)) {
        continue;
      }
      trace("check that leader " + n.member + " holds every acknowledged write (applied " + s.appliedIndex() + ")");
      invariants.checkAcknowledged(n.member, n.stateMachine.applied, s.appliedIndex());
      checked++;
    }
    return checked;
  }

  /** Cuts {@code id} off from every other replica (both directions). */
  void isolate(String id) {
    side = new int[nodeIds.size()];
    side[nodeIds.indexOf(id)] = 1;
    trace("isolate " + id);
  }

  void healNetwork() {
    side = new int[nodeIds.size()];
    bridge = -1;
    trace("heal network");
  }

  void crashNow(String id) {
    crash(nodes.get(id));
    queue.removeIf(e -> e.target == null); // no automatic restart: the script decides
  }

  void restart(String id) {
    start(nodes.get(id));
  }

  /** Delivers {@code command} (a control message such as a transfer or a drain) to {@code id} now. */
  void tell(String id, Command command) {
    if (command instanceof ReplicaControl.Drain) nodes.get(id).draining = true;
    deliver(nodes.get(id), command);
  }

  /** Delivers a proposal to {@code id} now; the reply lands in the returned inbox. */
  TestInbox<ProposeReply> propose(String id, ByteString command) {
    TestInbox<ProposeReply> inbox = TestInbox.create();
    deliver(nodes.get(id), new Propose(command, inbox.getRef()));
    return inbox;
  }

  /** Delivers a read to {@code id} now; the reply lands in the returned inbox. */
  TestInbox<ReadProtocol.ReadReply> read(String id, ByteString query, ReadPolicy policy) {
    TestInbox<ReadProtocol.ReadReply> inbox = TestInbox.create();
    deliver(nodes.get(id), new ReadProtocol.Read(query, java.util.Optional.of(policy), 0, inbox.getRef()));
    return inbox;
  }

  Status statusOf(String id) {
    Status s = status(nodes.get(id));
    if (s == null) throw new AssertionError(id + " is still recovering");
    return s;
  }

  /** The live replica that believes it leads the highest term, if any. */
  java.util.Optional<String> leader() {
    String best = null;
    long bestTerm = -1;
    for (Node n : nodes.values()) {
      if (!n.alive()) continue;
      Status s = status(n);
      if (s != null && s.role().equals("leader") && s.term() > bestTerm) {
        best = n.member;
        bestTerm = s.term();
      }
    }
    return java.util.Optional.ofNullable(best);
  }

  List<String> ids() {
    return ids;
  }

  Map<Long, ByteString> appliedBy(String id) {
    return nodes.get(id).stateMachine.applied;
  }

  // ------------------------------------------------------------------ event loop

  private void at(long time, String target, Runnable action) {
    queue.add(new Event(time, seq++, target, action));
  }

  private void runUntil(long end) {
    while (!queue.isEmpty() && queue.peek().time <= end && invariants.violations.isEmpty()) {
      if (queue.size() > 200_000) {
        invariants.violations.add("harness: event explosion (" + queue.size() + " pending events) at t=" + now);
        return;
      }
      Event e = queue.poll();
      now = e.time;
      if (e.target != null && nodes.get(e.target).pausedUntil > now) {
        at(nodes.get(e.target).pausedUntil, e.target, e.action);
        continue;
      }
      try {
        e.action.run();
      } catch (RuntimeException ex) {
        invariants.violations.add("exception at t=" + now + ": " + ex);
        trace(stackTrace(ex));
      }
      checkClients();
      checkChange();
    }
    now = Math.max(now, end);
  }

  // ------------------------------------------------------------------ processes

  private void start(Node n) {
    if (n.member == null) throw new IllegalStateException(n.id + " hosts no member");
    n.generation++;
    n.storageDown = false;
    n.inFlightWrite = null;
    n.receiver = new SnapshotReceiver(SnapshotReceiver::inMemory);
    n.timers.clear();
    n.draining = false;
    java.util.Optional<String> preferred = faults.leadershipChanges() && n.files.contains(ids.get(0))
        ? java.util.Optional.of(ids.get(0)) : java.util.Optional.empty();
    resetShadow(n);
    Behavior<Command> behavior = Replica.create(settings, new GroupMembers(GROUP, n.member, n.files, preferred),
        n.net.getRef()::tell,
        (ctx, incarnation) -> {
          n.storageIncarnation = incarnation;
          n.storageDown = false;
          n.receiver = new SnapshotReceiver(SnapshotReceiver::inMemory); // a partial snapshot dies with its storage
          return n.storage.getRef();
        },
        () -> n.stateMachine = new RecordingStateMachine(n.member, invariants, index -> applyFails(n, index)),
        ReplicaLatency.unexported(), new Random(rnd.nextLong()));
    n.kit = BehaviorTestKit.create(behavior, n.id + "-" + n.generation);
    trace("start " + n.member + " on " + n.id);
    drain(n);
  }

  /** Node {@code n} hosts {@code member} from now on, on an empty disk (a new member's own files). */
  private void host(Node n, String member) {
    n.member = member;
    n.files = Set.of(); // knows no configuration: it learns it from the leader's log
    n.disk = new SimDisk();
    trace("host " + member + " on " + n.id + " store " + n.store);
    start(n);
  }

  /**
   * The member on {@code n} was removed for good: its replica stops and its data is wiped; the
   * node gets a new store, so that it can only come back as a new member.
   */
  private void wipe(Node n) {
    stats.wipes++;
    trace("wipe " + n.member + " on " + n.id);
    n.retired.add(n.member + "@" + n.store);
    stop(n);
    n.member = null;
    n.files = Set.of();
    n.disk = new SimDisk();
    n.store = n.id + "-s" + ++n.stores;
    n.receiver = new SnapshotReceiver(SnapshotReceiver::inMemory); // a partial transfer is wiped with the rest
    n.shadow.clear();
    n.shadowConfigs.clear();
  }

  private void stop(Node n) {
    n.kit = null;
    n.generation++;
    n.timers.clear();
    n.net.getAllReceived();
    n.storage.getAllReceived();
    n.inFlightWrite = null;
    n.savesInFlight.clear();
    n.pausedUntil = 0;
  }

  private void crash(Node n) {
    if (!n.alive()) return;
    stats.crashes++;
    trace("crash " + n.id);
    n.kit = null;
    n.generation++;
    n.timers.clear();
    n.net.getAllReceived();
    n.storage.getAllReceived();
    if (faults.lyingDisk) {
      n.disk.crash();
    } else if (n.inFlightWrite != null && rnd.nextBoolean()) {
      // The write reached the disk but its acknowledgement died with the process.
      n.disk.write(n.inFlightWrite);
      n.disk.sync();
      logWritten(n);
    }
    n.inFlightWrite = null;
    for (SnapshotData s : n.savesInFlight) {
      if (rnd.nextBoolean()) n.disk.saveSnapshot(s); // renamed into place, but the answer died with the process
    }
    n.savesInFlight.clear();
    resetShadow(n);
    at(now + 100 + rnd.nextInt(900), null, () -> { if (!n.alive() && n.member != null) start(n); });
  }

  private void deliver(Node n, Command msg) {
    if (!n.alive()) return;
    n.kit.run(msg);
    drain(n);
  }

  /** Collects what the replica did: timers, peer messages, storage requests. */
  private void drain(Node n) {
    if (!n.alive()) return;
    for (Effect e : n.kit.getAllEffects()) {
      if (e instanceof Effect.TimerScheduled<?> t) {
        scheduleTimer(n, t.key(), (Command) t.msg(), t.duration(),
            !t.mode().getClass().getSimpleName().startsWith("SingleMode"));
      } else if (e instanceof Effect.TimerCancelled c) {
        n.timers.remove(c.key());
      }
    }
    List<StorageCommand> writes = n.storage.getAllReceived();
    // The messages of this step were sent on the configuration in force before it or on the one
    // after it (a leader replicates on a configuration entry it just appended, and may have sent
    // to a member before its commit let it append the entry that drops that member).
    Configuration before = n.config;
    for (StorageCommand sc : writes) {
      if (sc instanceof Persist p) shadowWrite(n, p);
      if (sc instanceof Recover) n.recovering = true;
    }
    List<Envelope> sent = n.net.getAllReceived();
    for (Envelope env : sent) if (env.message() instanceof AppendEntries ae) shadowSent(n, ae);
    observe(n);
    for (Envelope env : sent) send(n, env, before);
    for (StorageCommand sc : writes) storage(n, sc);
    // What the replica told itself joins its mailbox: other messages may come first.
    int generation = n.generation;
    while (n.kit.selfInbox().hasMessages()) {
      Command own = n.kit.selfInbox().receiveMessage();
      at(now + rnd.nextInt(2), n.id, () -> { if (n.generation == generation) deliver(n, own); });
    }
    n.kit.clearLog();
  }

  private final TestInbox<Status> statusProbe = TestInbox.create();
  private final GetStatus statusRequest = new GetStatus(statusProbe.getRef().unsafeUpcast());

  /**
   * Asks the replica, after each of its steps, what it knows (its status, which nothing else
   * sees): the configuration in force, whatever brought it (its log, a snapshot installed or
   * restored, its files), and its commit index. The configuration entries a leader commits in the
   * step are the group's committed configurations, in order of their index; one that leaves the
   * group by that commit steps down in the same step and term, and still counts as their leader.
   */
  private void observe(Node n) {
    if (n.recovering || !n.alive()) return;
    n.kit.run(statusRequest);
    if (!statusProbe.hasMessages()) return;
    Status s = statusProbe.receiveMessage();
    n.config = s.config().orElse(null);
    // What lies past the log's end is gone from it (a truncation, a snapshot installed over it).
    if (!n.shadow.isEmpty() && n.shadow.lastKey() > s.lastIndex()) shadowTruncate(n, s.lastIndex() + 1);
    boolean led = s.role().equals("leader") || n.role.equals("leader") && n.term == s.term();
    if (led && n.commitSeen >= 0 && s.commitIndex() > n.commitSeen) {
      for (long i = n.commitSeen + 1; i <= s.commitIndex(); i++) {
        if (!n.shadow.containsKey(i) && i > s.snapshotIndex()) {
          invariants.violations.add("harness: leader " + n.member + " committed entry " + i + " it never wrote or sent");
          return;
        }
      }
      n.shadowConfigs.subMap(n.commitSeen, false, s.commitIndex(), true)
          .forEach((index, config) -> invariants.onConfigCommitted(n.member, index, config));
    }
    n.role = s.role();
    n.term = s.term();
    n.commitSeen = s.commitIndex();
  }

  private void scheduleTimer(Node n, Object key, Command msg, Duration delay, boolean periodic) {
    long gen = ++timerGeneration;
    n.timers.put(key, gen);
    long skewed = Math.max(1, Math.round(delay.toMillis() * n.clockSkew));
    fireLater(n, key, msg, skewed, periodic, gen, n.generation);
  }

  private void fireLater(Node n, Object key, Command msg, long delay, boolean periodic, long gen, int nodeGen) {
    at(now + delay, n.id, () -> {
      if (n.generation != nodeGen || !Objects.equals(n.timers.get(key), gen)) return;
      if (periodic) fireLater(n, key, msg, delay, true, gen, nodeGen); else n.timers.remove(key);
      deliver(n, msg);
    });
  }

  // ------------------------------------------------------------------ network

  /**
   * With a snapshot budget, the leaders together never send more snapshot bytes than it allows
   * since the start (the bucket starts full): heartbeats' resends and paced chunks included.
   */
  private void checkSnapshotBudget(InstallSnapshot chunk) {
    long rate = settings.snapshots().throttle().bytesPerSecond();
    if (rate == 0) return;
    stats.snapshotBytesThrottled += chunk.data().size();
    double allowed = Math.max(settings.snapshots().chunkBytes(), rate / 10.0) + rate * now / 1000.0;
    if (stats.snapshotBytesThrottled > allowed + 1) {
      invariants.violations.add("snapshot budget: " + stats.snapshotBytesThrottled + " bytes sent by t=" + now
          + " ms at " + rate + " B/s (at most " + (long) allowed + ")");
    }
  }

  private void send(Node fromNode, Envelope env, Configuration configBefore) {
    String from = fromNode.member;
    RaftMessage message = env.message();
    Configuration senderConfig = configOf(fromNode);
    invariants.onSend(from, env.to(), message, configBefore, senderConfig);
    if (message instanceof AppendEntries && !from.equals(lastLeader)) {
      lastLeader = from;
      trace("leader " + from + " term " + message.term() + " " + senderConfig);
    }
    stats.messages++;
    if (message instanceof InstallSnapshot is) checkSnapshotBudget(is);
    String to = env.to();
    Node toNode = nodes.get(Configuration.nodeOf(to));
    if (toNode == null) return; // no such node
    // As a node creates the replica a leader's message names when its configuration places that
    // member on this node's store (plan §1: a learner is created by its leader's messages).
    String createOn = (message instanceof AppendEntries || message instanceof InstallSnapshot)
        && senderConfig != null && senderConfig.isMember(to) ? senderConfig.store(to) : null;
    boolean lost = blocked(from, to) || (faultPhase && rnd.nextDouble() < faults.dropRate);
    if (lost && faults.forgeReadAcks && message instanceof AppendEntries ae && ae.readSeq() > 0) {
      // A broken variant: the leader counts an acknowledgement no follower sent.
      RaftMessage forged = Messages.appendResponse(to, ae.term()).rejected(-1, 0, 0).seq(ae.readSeq()).build();
      at(now + 1 + rnd.nextInt(5), fromNode.id, () -> deliverTo(from, forged, null));
    }
    if (blocked(from, to)) return;
    if (lost) {
      stats.drops++;
      return;
    }
    int copies = faultPhase && rnd.nextDouble() < faults.duplicateRate ? 2 : 1;
    if (copies == 2) stats.duplicates++;
    for (int i = 0; i < copies; i++) {
      long latency = 1 + rnd.nextInt(5)
          + (faultPhase && rnd.nextDouble() < faults.reorderRate ? rnd.nextInt(60) : 0);
      at(now + latency, toNode.id, () -> { if (!blocked(from, to)) deliverTo(to, message, createOn); });
    }
  }

  /**
   * Delivers to member {@code to}, if its node hosts it; first creates it when the sender's
   * configuration places it on this node's store now ({@code createOn}; null: never).
   */
  private void deliverTo(String to, Command message, String createOn) {
    Node n = nodes.get(Configuration.nodeOf(to));
    if (n.member == null && n.store.equals(createOn) && !n.retired.contains(to + "@" + n.store)) host(n, to);
    if (to.equals(n.member)) deliver(n, message);
  }

  private boolean blocked(String from, String to) {
    int a = nodeIds.indexOf(Configuration.nodeOf(from));
    int b = nodeIds.indexOf(Configuration.nodeOf(to));
    return side[a] != side[b] && a != bridge && b != bridge;
  }

  // ------------------------------------------------------------------ the harness's view of each log

  /**
   * The configuration in force at {@code n} as it reported it after its last step (thesis §4.1:
   * its log's latest, a snapshot's, else its files'); null: none, or down or recovering.
   */
  private Configuration configOf(Node n) {
    return n.alive() ? n.config : null;
  }

  /** After a (re)start or a crash the log is what the disk holds, and the replica must be asked again. */
  private void resetShadow(Node n) {
    n.shadow.clear();
    n.shadowConfigs.clear();
    for (LogEntry e : n.disk.log()) shadowPut(n, e);
    n.config = null;
    n.role = "";
    n.term = 0;
    n.commitSeen = -1;
  }

  private void shadowWrite(Node n, Persist p) {
    if (p.truncateFrom() > 0) shadowTruncate(n, p.truncateFrom());
    for (LogEntry e : p.entries()) shadowPut(n, e);
  }

  /** A leader sends entries of its log: they are in it, whatever reached its storage yet. */
  private void shadowSent(Node n, AppendEntries ae) {
    for (LogEntry e : ae.entries()) {
      LogEntry known = n.shadow.get(e.getIndex());
      if (known != null && known.getTerm() != e.getTerm()) shadowTruncate(n, e.getIndex());
      shadowPut(n, e);
    }
  }

  private static void shadowTruncate(Node n, long from) {
    n.shadow.tailMap(from, true).clear();
    n.shadowConfigs.tailMap(from, true).clear();
  }

  private static void shadowPut(Node n, LogEntry e) {
    n.shadow.put(e.getIndex(), e);
    if (e.getKind() == EntryKind.ENTRY_KIND_CONFIG) {
      try {
        n.shadowConfigs.put(e.getIndex(), Configuration.fromProto(GroupConfig.parseFrom(e.getCommand())));
      } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
        throw new IllegalStateException("configuration entry " + e.getIndex() + " does not parse", ex);
      }
    } else {
      n.shadowConfigs.remove(e.getIndex());
    }
  }

  // ------------------------------------------------------------------ storage

  private void storage(Node n, StorageCommand sc) {
    int gen = n.generation;
    if (sc instanceof Recover) {
      at(now + 1, n.id, () -> {
        if (n.generation == gen) {
          trace("recover " + n.id + " snapshot=" + n.disk.snapshotIndex() + " log=" + n.disk.log().size());
          n.recovering = false;
          resetShadow(n); // the replica's log is what the disk holds, whatever the harness saw before
          deliver(n, new Recovered(n.disk.hardState(), n.disk.snapshot(), n.disk.log()));
        }
      });
    } else if (sc instanceof SaveSnapshot save) {
      // Written beside the log (it does not hold up log writes), from the frozen state, later.
      int incarnation = n.storageIncarnation;
      at(now + 1 + rnd.nextInt(30), n.id, () -> {
        if (n.generation != gen || n.storageIncarnation != incarnation || n.storageDown) return;
        SnapshotData snapshot = InMemorySnapshot.of(save.meta(), save.state());
        n.savesInFlight.add(snapshot);
        at(now + 1 + rnd.nextInt(10), n.id, () -> {
          if (n.generation != gen || !n.savesInFlight.remove(snapshot)) return;
          stats.snapshots++;
          trace("snapshot " + snapshot.meta() + " on " + n.id);
          n.disk.saveSnapshot(snapshot);
          if (n.storageIncarnation == incarnation && !n.storageDown) deliver(n, new SnapshotSaved(snapshot, false));
        });
      });
    } else if (sc instanceof StoreSnapshotChunk chunk) {
      int incarnation = n.storageIncarnation;
      at(Math.max(now, n.storageFreeAt) + 1, n.id, () -> {
        if (n.generation != gen || n.storageIncarnation != incarnation || n.storageDown) return;
        stats.snapshotChunks++;
        long next = storeChunk(n, chunk);
        deliver(n, new SnapshotChunkStored(chunk.transfer(), chunk.meta(), next));
      });
    } else if (sc instanceof DiscardSnapshot discard) {
      int incarnation = n.storageIncarnation;
      at(Math.max(now, n.storageFreeAt) + 1, n.id, () -> {
        if (n.generation != gen || n.storageIncarnation != incarnation || n.storageDown) return;
        stats.snapshotsDiscarded++;
        try {
          n.receiver.discard(discard.transfer());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } else if (sc instanceof CompleteSnapshot complete) {
      int incarnation = n.storageIncarnation;
      at(Math.max(now, n.storageFreeAt) + 1 + rnd.nextInt(5), n.id, () -> {
        if (n.generation != gen || n.storageIncarnation != incarnation || n.storageDown) return;
        SnapshotReceiver.Completion done = completeSnapshot(n, complete);
        if (done.snapshot().isPresent()) {
          stats.snapshotsInstalled++;
          trace("installed " + done.snapshot().get().meta() + " on " + n.id);
          n.disk.saveSnapshot(done.snapshot().get());
        }
        deliver(n, complete.answer(done));
      });
    } else if (sc instanceof Persist p) {
      int incarnation = n.storageIncarnation;
      if (faults.lyingDisk) {
        // Acknowledged at once; reaches the platter only now and then.
        n.disk.write(p);
        logWritten(n);
        if (rnd.nextDouble() < 0.05) n.disk.sync();
        at(now + 1, n.id, () -> { if (n.generation == gen) deliver(n, new Persisted(p.writeId())); });
        return;
      }
      long done = Math.max(now, n.storageFreeAt) + 1 + rnd.nextInt(4);
      n.storageFreeAt = done;
      n.inFlightWrite = p;
      at(done, n.id, () -> completeWrite(n, p, gen, incarnation));
    }
  }

  /** A state machine's disk fails now and then too (issue 19): the replica must not skip the entry. */
  private boolean applyFails(Node n, long index) {
    if (!faultPhase || rnd.nextDouble() >= faults.storageFailureRate / 4) return false;
    stats.applyFailures++;
    trace("apply failure " + n.id + " at " + index);
    return true;
  }

  private void completeWrite(Node n, Persist p, int gen, int incarnation) {
    if (n.generation != gen || n.storageIncarnation != incarnation || n.storageDown) return;
    n.inFlightWrite = null;
    if (faultPhase && rnd.nextDouble() < faults.storageFailureRate) {
      stats.storageFailures++;
      n.storageDown = true;
      trace("storage failure " + n.id);
      deliver(n, new Replica.StorageStopped(incarnation));
      return;
    }
    n.disk.write(p);
    n.disk.sync();
    logWritten(n);
    deliver(n, new Persisted(p.writeId()));
  }

  private void logWritten(Node n) {
    invariants.onLogWritten(n.id, n.disk.snapshotIndex(), n.disk.snapshotTerm(), n.disk.log());
  }

  private static long storeChunk(Node n, StoreSnapshotChunk chunk) {
    try {
      return n.receiver.store(chunk.transfer(), chunk.meta(), chunk.offset(), chunk.bytes());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static SnapshotReceiver.Completion completeSnapshot(Node n, CompleteSnapshot complete) {
    try {
      return n.receiver.complete(complete.transfer(), complete.meta(), complete.size(), complete.checksum());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ faults

  private void scheduleFaults(long faultMillis) {
    for (long t = 200 + rnd.nextInt(800); t < faultMillis; t += 300 + rnd.nextInt(1200)) {
      at(t, null, this::injectFault);
    }
    if (faults.membershipChanges()) {
      for (long t = 300 + rnd.nextInt(300); t < faultMillis; t += 150 + rnd.nextInt(450)) {
        at(t, null, this::changeMembers);
      }
    }
  }

  /** The members hosted now, in node order (clients and faults pick among them). */
  private List<String> hosted() {
    List<String> members = new ArrayList<>();
    for (Node n : nodes.values()) if (n.member != null) members.add(n.member);
    return members;
  }

  private String anyHosted() {
    List<String> members = hosted();
    return members.get(rnd.nextInt(members.size()));
  }

  /** The node hosting {@code member}, or null when none does (any more). */
  private Node nodeOf(String member) {
    Node n = nodes.get(Configuration.nodeOf(member));
    return n != null && member.equals(n.member) ? n : null;
  }

  private void injectFault() {
    if (!faultPhase) return;
    int kind = rnd.nextInt(faults.leadershipChanges() ? 4 : 3);
    if (kind == 0 && faults.partitions) {
      partition();
    } else if (kind == 1 && faults.crashes && rnd.nextInt(4) == 0) {
      trace("power loss: every replica crashes");
      for (Node n : nodes.values()) crash(n);
    } else if (kind == 1 && faults.crashes) {
      String victim = rnd.nextBoolean() && lastLeader != null && nodeOf(lastLeader) != null ? lastLeader : anyHosted();
      crash(nodeOf(victim));
    } else if (kind == 2 && faults.pauses) {
      Node n = nodeOf(anyHosted());
      stats.pauses++;
      n.pausedUntil = now + 100 + rnd.nextInt(1400);
      trace("pause " + n.id + " until " + n.pausedUntil);
    } else if (kind == 3 && rnd.nextInt(4) > 0 && lastLeader != null && nodeOf(lastLeader) != null
        && nodeOf(lastLeader).alive()) {
      String target = anyHosted();
      stats.transfers++;
      trace("transfer leadership " + lastLeader + " -> " + target);
      deliver(nodeOf(lastLeader), new ReplicaControl.TransferLeadership(target));
    } else if (kind == 3) {
      Node n = nodeOf(anyHosted());
      if (n.alive() && !n.draining) {
        stats.drains++;
        n.draining = true;
        trace("drain " + n.id);
        deliver(n, new ReplicaControl.Drain(TestInbox.<ReplicaControl.DrainStatus>create().getRef()));
      }
    }
  }

  // ------------------------------------------------------------------ moving a group by configuration files

  /**
   * The procedure of before configurations were in the log, scripted (issue 21): node {@code n4}
   * joins by its configuration files and the members' files are edited and the nodes restarted —
   * {@code n4} starts with files naming n1..n4, n2 and n3 are restarted on them (3 → 4), then on
   * files naming n2..n4 to take n1 out; n1, on its way out, keeps its files. The group runs its
   * workload and faults throughout. Needs a group built with one spare.
   */
  SimulatedGroup moveByConfigurationFiles(long at) {
    Set<String> four = Set.of("n1", "n2", "n3", "n4");
    Set<String> withoutN1 = Set.of("n2", "n3", "n4");
    at(at, null, () -> {
      Node n4 = nodes.get("n4");
      n4.files = four;
      n4.member = "n4";
      trace("operator: n4 joins with files " + four);
      start(n4);
    });
    long t = at;
    for (String id : List.of("n2", "n3")) {
      t += 300 + rnd.nextInt(400);
      at(t, null, () -> restartWithFiles(nodes.get(id), four));
    }
    for (String id : List.of("n2", "n3", "n4")) {
      t += 300 + rnd.nextInt(400);
      at(t, null, () -> restartWithFiles(nodes.get(id), withoutN1));
    }
    return this;
  }

  private void restartWithFiles(Node n, Set<String> files) {
    trace("operator: restart " + n.id + " with files " + files);
    if (n.alive()) {
      stop(n);
      resetShadow(n);
    }
    n.files = files;
    start(n);
  }

  /** The same move through the leader (thesis ch. 4): n4 added as a learner, promoted, n1 removed. */
  SimulatedGroup moveByMembershipChanges(long at) {
    List<java.util.function.Function<Configuration, ChangeRequest>> steps = new ArrayList<>(List.of(
        cfg -> new ChangeRequest.AddLearner("n4", nodes.get("n4").store),
        cfg -> cfg.learners().isEmpty() ? null : new ChangeRequest.Promote(cfg.learners().iterator().next()),
        cfg -> new ChangeRequest.Remove("n1")));
    for (long t = at; t < 5_500; t += 100) {
      at(t, null, () -> {
        if (steps.isEmpty() || pendingChange != null || lastLeader == null || nodeOf(lastLeader) == null) return;
        Node leader = nodeOf(lastLeader);
        Configuration cfg = configOf(leader);
        if (!leader.alive() || cfg == null) return;
        ChangeRequest request = steps.get(0).apply(cfg);
        if (request == null) return;
        TestInbox<ReplicaControl.ChangeConfigReply> inbox = TestInbox.create();
        pendingChange = new PendingChange(request, leader.member, now, inbox);
        stats.membershipRequests++;
        trace("operator: " + request + " asked of " + leader.member);
        deliver(leader, new ReplicaControl.ChangeConfig(request, inbox.getRef()));
      });
    }
    operatorSteps = steps;
    return this;
  }

  private List<?> operatorSteps = List.of();

  // ------------------------------------------------------------------ membership changes (an operator)

  /**
   * The operator looks at the leader's committed configuration and asks it for the next change
   * (thesis ch. 4), keeping three to five voters: a learner on a free node, its promotion once
   * caught up (the leader says when: UNAVAILABLE until then), a voter replaced by it or removed,
   * a learner removed, the leader itself removed (it refuses and hands over). Now and then the
   * leader crashes right after it accepted a voter change (between the joint entry and leaving
   * it). A member the committed configuration dropped is wiped, and its node can join again, as
   * a new member on a new store.
   */
  private void changeMembers() {
    if (!faultPhase || pendingChange != null || lastLeader == null) return;
    Node leader = nodeOf(lastLeader);
    if (leader == null || !leader.alive()) return;
    Status st = status(leader);
    Configuration cfg = configOf(leader);
    if (st == null || !st.role().equals("leader") || cfg == null) return;
    if (st.configIndex() > st.commitIndex() || cfg.joint()) return; // a change is under way
    for (Node n : nodes.values()) {
      if (n.member != null && !cfg.isMember(n.member) && !n.member.equals(leader.member)) wipe(n);
    }
    List<String> learners = new ArrayList<>(cfg.learners());
    List<String> voters = new ArrayList<>(cfg.voters());
    List<Node> free = new ArrayList<>();
    for (Node n : nodes.values()) {
      boolean placed = false;
      for (String m : cfg.members()) placed |= Configuration.nodeOf(m).equals(n.id);
      if (!placed && n.member == null) free.add(n);
    }
    ChangeRequest request;
    int dice = rnd.nextInt(10);
    if (!learners.isEmpty()) {
      String learner = learners.get(rnd.nextInt(learners.size()));
      String voter = voters.get(rnd.nextInt(voters.size()));
      if (dice == 0) {
        request = new ChangeRequest.Remove(learner);
      } else if (voters.size() >= 5 || (voters.size() >= 3 && dice < 5)) {
        request = new ChangeRequest.Replace(learner, voter);
      } else {
        request = new ChangeRequest.Promote(learner);
      }
    } else if (voters.size() > 3 && (dice < 6 || free.isEmpty())) {
      request = new ChangeRequest.Remove(dice < 2 ? leader.member : voters.get(rnd.nextInt(voters.size())));
    } else if (!free.isEmpty()) {
      Node n = free.get(rnd.nextInt(free.size()));
      if (n.stores > 1) stats.readds++;
      request = new ChangeRequest.AddLearner(n.id, n.store);
    } else {
      return;
    }
    stats.membershipRequests++;
    TestInbox<ReplicaControl.ChangeConfigReply> inbox = TestInbox.create();
    pendingChange = new PendingChange(request, leader.member, now, inbox);
    trace("change " + request + " asked of " + leader.member + " in " + cfg);
    deliver(leader, new ReplicaControl.ChangeConfig(request, inbox.getRef()));
    boolean votersChange = !(request instanceof ChangeRequest.AddLearner)
        && !(request instanceof ChangeRequest.Remove r && cfg.isLearner(r.member()));
    if (votersChange && faults.crashes && rnd.nextInt(4) == 0) {
      at(now + 1 + rnd.nextInt(15), null, () -> {
        if (leader.alive() && faultPhase) {
          stats.crashesMidChange++;
          trace("crash the leader amid the change");
          crash(leader);
        }
      });
    }
  }

  /** The leader's answer to the operator's change, if it came. */
  private void checkChange() {
    PendingChange p = pendingChange;
    if (p == null) return;
    if (!p.inbox.hasMessages()) {
      if (now - p.sentAt > 3000) pendingChange = null; // the answer died with its leader
      return;
    }
    ReplicaControl.ChangeConfigReply reply = p.inbox.receiveMessage();
    pendingChange = null;
    if (reply instanceof ReplicaControl.ConfigChanged && !operatorSteps.isEmpty()) operatorSteps.remove(0);
    trace("change " + p.request + ": " + reply);
    boolean removesLeader = p.request instanceof ChangeRequest.Remove rm && rm.member().equals(p.leader)
        || p.request instanceof ChangeRequest.Replace rp && rp.voter().equals(p.leader);
    if (removesLeader && reply instanceof ReplicaControl.ConfigChanged changed
        && !changed.config().isMember(p.leader)) {
      invariants.violations.add("membership: leader " + p.leader + " removed itself: " + changed);
    } else if (removesLeader && reply instanceof ReplicaControl.ConfigChangeRefused refused) {
      if (refused.refusal() == io.chronik.raft.core.MembershipRules.Refusal.FAILED_PRECONDITION) {
        stats.leaderRemovalsRefused++;
      }
    }
  }

  private void partition() {
    stats.partitions++;
    int n = nodeIds.size();
    side = new int[n];
    bridge = -1;
    int shape = rnd.nextInt(4);
    if (shape == 0 && lastLeader != null) {
      side[nodeIds.indexOf(Configuration.nodeOf(lastLeader))] = 1; // isolated leader
    } else if (shape == 1 && n >= 5) {
      side[0] = side[1] = 1; // bridge: node 2 sees both sides
      bridge = 2;
    } else if (shape == 2) {
      for (int i = 0; i < n; i++) side[i] = rnd.nextInt(2); // random split
    } // shape 3: heal
    trace("partition sides=" + java.util.Arrays.toString(side) + " bridge=" + bridge);
  }

  private void heal() {
    faultPhase = false;
    side = new int[nodeIds.size()];
    bridge = -1;
    for (Node n : nodes.values()) {
      n.pausedUntil = 0;
      if (n.member == null) continue;
      if (n.draining && n.alive()) {
        crash(n); // a drained node stopped: it comes back as a fresh incarnation
      }
      if (!n.alive()) at(now + 1, null, () -> { if (!n.alive() && n.member != null) start(n); });
    }
    trace("heal at t=" + now);
  }

  // ------------------------------------------------------------------ clients

  private void nextOp(Client c) {
    if (!faultPhase) return;
    String key = "k" + rnd.nextInt(3);
    String value = "c" + c.id + "-" + c.seq++;
    int dice = rnd.nextInt(10);
    Op op;
    if (dice < 4) {
      op = new Op(Kind.READ, key, null, null, KeyValueStateMachine.get(key), historyTime());
    } else if (dice < 7) {
      op = new Op(Kind.PUT, key, value, null, KeyValueStateMachine.put(key, ByteString.copyFromUtf8(value)), historyTime());
    } else {
      String expected = c.lastSeen.get(key);
      op = new Op(Kind.CAS, key, value, expected, KeyValueStateMachine.compareAndSet(key,
          expected == null ? null : ByteString.copyFromUtf8(expected), ByteString.copyFromUtf8(value)), historyTime());
    }
    c.op = op;
    if (op.kind == Kind.READ) {
      c.target = anyHosted(); // reads go to every replica
    } else {
      stats.proposalsSent++;
    }
    submit(c, op);
    at(now + 2000, null, () -> {
      if (c.op != op) return;
      finish(c, op, null, false); // no answer: unknown outcome
      if (op.kind != Kind.READ) abandoned.add(op);
    });
  }

  private void submit(Client c, Op op) {
    String target = c.target;
    Node node = nodes.get(Configuration.nodeOf(target));
    if (node == null) return; // a leader hint of no node: the operation times out
    at(now + 1 + rnd.nextInt(5), node.id, () -> {
      if (c.op != op) return;
      Command msg = op.kind == Kind.READ
          ? new ReadProtocol.Read(op.command, java.util.Optional.of(readPolicy), 0, op.readInbox.getRef())
          : new Propose(op.command, op.inbox.getRef());
      deliverTo(target, msg, null);
    });
  }

  private void checkClients() {
    for (Client c : clients) {
      Op op = c.op;
      if (op == null) continue;
      if (op.kind == Kind.READ) {
        if (op.readInbox.hasMessages()) onReadReply(c, op, op.readInbox.receiveMessage());
      } else if (op.inbox.hasMessages()) {
        onProposeReply(c, op, op.inbox.receiveMessage());
      }
    }
  }

  private void onProposeReply(Client c, Op op, ProposeReply reply) {
    if (reply instanceof Proposed p) {
      // Like the gateway's clients, go to the replica that committed it next time; a write sent to
      // a follower is forwarded (so both paths run under faults).
      if (!p.leader().isEmpty()) c.target = p.leader();
      stats.proposalsAcknowledged++;
      invariants.onAcknowledged(p.index(), op.command);
      finish(c, op, KeyValueStateMachine.result(p.result()), true);
    } else if (reply instanceof NotLeader nl) {
      c.target = nl.leaderHint().orElse(anyHosted());
      at(now + (nl.leaderHint().isPresent() ? 1 : 30), null, () -> { if (c.op == op) submit(c, op); });
    } else if (reply instanceof OutcomeUnknown) {
      finish(c, op, null, false);
    } else if (reply instanceof ProposalRejected r) {
      invariants.violations.add("unexpected rejection of a small proposal: " + r.reason());
    }
  }

  private void onReadReply(Client c, Op op, ReadProtocol.ReadReply reply) {
    if (reply instanceof ReadProtocol.ReadResult r) {
      stats.readsServed++;
      finish(c, op, KeyValueStateMachine.result(r.result()), true);
    } else {
      stats.readsFailed++; // a failed read has no effect: it leaves the history
      c.op = null;
      at(now + 5 + rnd.nextInt(20), null, () -> nextOp(c));
    }
  }

  /** Records the operation's end in the history ({@code answered == false}: outcome unknown). */
  private void finish(Client c, Op op, KvResult result, boolean answered) {
    c.op = null;
    at(now + rnd.nextInt(20), null, () -> nextOp(c));
    RegisterModel.Op modelOp;
    if (op.kind == Kind.READ) {
      if (!answered) return; // an unanswered read tells nothing
      String observed = result.getFound() ? result.getValue().toStringUtf8() : null;
      c.lastSeen.put(op.key, observed);
      modelOp = new RegisterModel.Get(observed);
    } else if (op.kind == Kind.PUT) {
      if (!answered) stats.proposalsUnknown++;
      modelOp = new RegisterModel.Put(op.value);
    } else {
      if (!answered) stats.proposalsUnknown++;
      modelOp = new RegisterModel.Cas(op.expected, op.value, answered ? result.getApplied() : null);
    }
    List<HistoryOp<RegisterModel.Op>> ops = history.computeIfAbsent(op.key, k -> new ArrayList<>());
    ops.add(new HistoryOp<>(ops.size(), op.call, answered ? historyTime() : HistoryOp.UNKNOWN, modelOp));
  }

  /**
   * The virtual time of a call or an answer, with the order of events within one millisecond kept
   * (a sequence number in the low bits): an operation invoked in the millisecond another was
   * answered, but after it, is not concurrent with it — the checker must see it come after.
   */
  private long historyTime() {
    return now * 1_000_000 + historyEvents++;
  }

  // ------------------------------------------------------------------ end of schedule

  /**
   * Every client answered, and every member of the leader's configuration (not joint: a joint one
   * is left at once) is up with the same log, all of it committed and applied. Members removed
   * meanwhile are not waited for: the leader no longer replicates to them.
   */
  private boolean converged() {
    for (Client c : clients) if (c.op != null) return false;
    java.util.Optional<String> leader = leader();
    if (leader.isEmpty()) return false;
    Configuration cfg = configOf(nodeOf(leader.get()));
    if (cfg == null || cfg.joint()) return false;
    Long commit = null;
    for (String member : cfg.members()) {
      Node n = nodeOf(member);
      if (n == null || !n.alive()) return false;
      Status s = status(n);
      if (s == null) return false; // still recovering
      if (s.commitIndex() != s.lastIndex() || s.appliedIndex() != s.commitIndex()) return false;
      if (commit != null && commit != s.commitIndex()) return false;
      commit = s.commitIndex();
    }
    finalMembers = List.copyOf(cfg.members());
    return true;
  }

  /** The members of the configuration the group converged on. */
  private List<String> finalMembers = List.of();

  /** One inbox for every status request of the harness: a new one each time costs more than the request. */
  private final TestInbox<Status> queryProbe = TestInbox.create();
  private final GetStatus queryRequest = new GetStatus(queryProbe.getRef().unsafeUpcast());

  /** The replica's status, or null while it is recovering (it would stash the request until then). */
  private Status status(Node n) {
    if (n.recovering) return null;
    n.kit.run(queryRequest);
    drain(n);
    return queryProbe.hasMessages() ? queryProbe.receiveMessage() : null;
  }

  private void finalChecks() {
    for (Op op : abandoned) {
      for (ProposeReply r : op.inbox.getAllReceived()) {
        if (r instanceof Proposed p) invariants.onAcknowledged(p.index(), op.command);
      }
    }
    if (!invariants.violations.isEmpty() || !stats.converged) return;
    for (String member : finalMembers) {
      Node n = nodeOf(member);
      invariants.checkAcknowledged(member, n.stateMachine.applied, status(n).appliedIndex());
    }
    checkCommittedConfigurations();
    // Every read ends: after the read timeout, nothing may still be pending anywhere.
    runUntil(now + settings.readIndexTimeout().toMillis() + 100);
    for (Node n : nodes.values()) {
      if (!n.alive()) continue;
      TestInbox<ReplicaMetrics.Snapshot> probe = TestInbox.create();
      n.kit.run(new ReadProtocol.GetReplicaMetrics(probe.getRef()));
      drain(n);
      int pending = probe.receiveMessage().pending();
      if (pending != 0) invariants.violations.add("reads leaked: " + n.id + " still holds " + pending + " reads");
    }
    long started = System.nanoTime();
    for (Map.Entry<String, List<HistoryOp<RegisterModel.Op>>> e : history.entrySet()) {
      stats.historyOps += e.getValue().size();
      LinearizabilityChecker.Verdict v =
          LinearizabilityChecker.check(new RegisterModel(), e.getValue(), 5_000_000);
      if (v != LinearizabilityChecker.Verdict.LINEARIZABLE) {
        invariants.violations.add("linearizability: key " + e.getKey() + " " + v + " (" + e.getValue().size()
            + " operations, policy " + readPolicy + ")");
        trace("history of " + e.getKey() + ": " + e.getValue());
      }
    }
    stats.checkerMillis = (System.nanoTime() - started) / 1_000_000;
  }

  /**
   * The configurations the leaders committed, in order of their index after the files': each a
   * learner change or a joint step from the one before.
   */
  private void checkCommittedConfigurations() {
    stats.membershipChanges = invariants.checkConfigSequence(Configuration.legacy(Set.copyOf(ids)));
  }

  List<String> violations() {
    return invariants.violations;
  }

  String traceTail() {
    return String.join("\n", trace);
  }

  private void trace(String line) {
    trace.addLast("t=" + now + " " + line);
    if (trace.size() > 400) trace.removeFirst();
  }

  private static String stackTrace(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }
}
