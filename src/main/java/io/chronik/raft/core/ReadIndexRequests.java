package io.chronik.raft.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Follower-side ReadIndex bookkeeping (Raft thesis §6.4): the requests a follower sends its leader
 * for a read index, and which reads each one answers. Pure: decisions out, no messaging or timers.
 *
 * <p>Requests are pipelined: a read that arrives while requests are outstanding goes out with the
 * next request at once, up to {@code maxOutstanding} in flight (then reads gather for the next),
 * so a read waits one round trip, not the rest of an earlier one first. A caller may also
 * {@link #enqueue} reads and send them together ({@link #sendWaiting}): the replica does so for
 * the reads already in its mailbox, which then share one request instead of one each.
 *
 * <p>An answer counts only for the request it names, from the leader and in the term that request
 * was sent to: request ids start at a random number in each incarnation, so an answer meant for an
 * earlier incarnation (same term, same leader) cannot release a read of this one. Every read in a
 * request arrived before the request was sent, so the leader's read index — its commit index once
 * it confirmed leadership after the request arrived — covers every write acknowledged before
 * the read began.
 */
public final class ReadIndexRequests<R> {
  /** A request to send: ask {@code leader} for a read index in {@code term}, naming {@code id}. */
  public record Request<R>(long id, String leader, long term, List<R> reads) {}

  /** What an answer decides for the reads of its request. */
  public sealed interface Answer<R> {}

  /** The leader confirmed: serve {@code reads} once applied reaches {@code readIndex}. */
  public record Granted<R>(List<R> reads, long readIndex) implements Answer<R> {}

  /** The leader could not give a read index (no longer leader, or another term): fail {@code reads}, retryable. */
  public record Refused<R>(List<R> reads, String leader) implements Answer<R> {}

  /** Not the answer to any outstanding request (late, duplicated, another incarnation's): nothing to do. */
  public record Ignored<R>() implements Answer<R> {}

  private record Outstanding<R>(Request<R> request, long sentAtTick) {}

  private final ReadRules rules;
  private final int maxOutstanding;
  private long nextId;
  private long tick;
  private List<R> waiting = new ArrayList<>();
  private final Map<Long, Outstanding<R>> outstanding = new LinkedHashMap<>();

  /** @param firstId where this incarnation's request ids start (a random number) */
  public ReadIndexRequests(int maxOutstanding, long firstId) {
    this(RaftRules.STANDARD.reads(), maxOutstanding, firstId);
  }

  /**
   * @param rules says which answers grant a read index ({@link ReadRules#grantsReadIndex})
   * @param firstId where this incarnation's request ids start (a random number)
   */
  public ReadIndexRequests(ReadRules rules, int maxOutstanding, long firstId) {
    this.rules = rules;
    if (maxOutstanding < 1) throw new IllegalArgumentException("maxOutstanding must be >= 1");
    this.maxOutstanding = maxOutstanding;
    this.nextId = firstId;
  }

  /** A read needs a read index from {@code leader} in {@code term}: the request to send now, if any. */
  public Optional<Request<R>> add(R read, String leader, long term) {
    enqueue(read);
    return next(leader, term);
  }

  /**
   * A read needs a read index, to be asked for with the reads that arrive right after it
   * ({@link #sendWaiting}): the caller sends once the reads already queued for it are taken in.
   */
  public void enqueue(R read) {
    waiting.add(read);
  }

  /** The waiting reads as one request, when pipelining allows another now. */
  private Optional<Request<R>> next(String leader, long term) {
    if (waiting.isEmpty() || outstanding.size() >= maxOutstanding) return Optional.empty();
    Request<R> request = new Request<>(nextId++, leader, term, waiting);
    waiting = new ArrayList<>();
    outstanding.put(request.id(), new Outstanding<>(request, tick));
    return Optional.of(request);
  }

  /**
   * The answer to request {@code id} from {@code from} in {@code term}; {@code then} sends the
   * next request (reads that gathered while the pipeline was full) to the same leader.
   */
  public Answer<R> onAnswer(long id, String from, long term, boolean ok, long readIndex) {
    Outstanding<R> o = outstanding.get(id);
    if (o == null || !o.request().leader().equals(from)) return new Ignored<>();
    outstanding.remove(id);
    Request<R> request = o.request();
    if (rules.grantsReadIndex(ok, term, request.term())) return new Granted<>(request.reads(), readIndex);
    return new Refused<>(request.reads(), from);
  }

  /** After an answer freed a slot: the reads that gathered meanwhile, as a request to {@code leader}. */
  public Optional<Request<R>> sendWaiting(String leader, long term) {
    return next(leader, term);
  }

  /**
   * A retry tick (the caller's timer): requests sent before the previous tick got no answer in a
   * whole tick interval and count as lost; their reads go out again in one new request, with any
   * that were waiting. A late answer to a lost request is then ignored.
   */
  public Optional<Request<R>> tick(String leader, long term) {
    tick++;
    List<R> again = new ArrayList<>();
    for (Iterator<Outstanding<R>> it = outstanding.values().iterator(); it.hasNext(); ) {
      Outstanding<R> o = it.next();
      if (o.sentAtTick() < tick - 1) {
        again.addAll(o.request().reads());
        it.remove();
      }
    }
    if (again.isEmpty()) return next(leader, term);
    again.addAll(waiting);
    waiting = again;
    return next(leader, term);
  }

  /** Whether any request is outstanding (the caller keeps its retry timer running while so). */
  public boolean hasOutstanding() {
    return !outstanding.isEmpty();
  }

  /** Every read not answered yet, removed (the leader changed: the caller fails them, retryable). */
  public List<R> drain() {
    List<R> out = new ArrayList<>();
    for (Outstanding<R> o : outstanding.values()) out.addAll(o.request().reads());
    out.addAll(waiting);
    outstanding.clear();
    waiting = new ArrayList<>();
    return out;
  }

  /** The reads not sent yet, which no request will carry now (the caller fails them). */
  public List<R> drainWaiting() {
    List<R> out = waiting;
    waiting = new ArrayList<>();
    return out;
  }

  public int outstandingRequests() {
    return outstanding.size();
  }

  public int waitingReads() {
    return waiting.size();
  }
}
