package io.chronik.raft.replica;

import com.google.protobuf.ByteString;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.rpc.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Named builders for the peer messages with many fields, so that a test says which field it
 * sets ({@code Messages.append("a", 2).prev(3, 2).commit(3).build()}) instead of counting
 * positional arguments. Unset fields are zero, empty or false; the group is {@code g}, or the one
 * named by {@code group(id)} where a test needs another.
 */
final class Messages {
  static final String GROUP = "g";

  private Messages() {}

  static AppendBuilder append(String from, long term) {
    return new AppendBuilder(from, term);
  }

  static AppendResponseBuilder appendResponse(String from, long term) {
    return new AppendResponseBuilder(from, term);
  }

  static VoteBuilder vote(String from, long term) {
    return new VoteBuilder(from, term);
  }

  static SnapshotChunkBuilder snapshotChunk(String from, long term) {
    return new SnapshotChunkBuilder(from, term);
  }

  static VoteResponseBuilder voteResponse(String from, long term) {
    return new VoteResponseBuilder(from, term);
  }

  static ReadIndexResponseBuilder readIndexResponse(String from, long term) {
    return new ReadIndexResponseBuilder(from, term);
  }

  static ForwardedProposeBuilder forwardedPropose(String from, long term) {
    return new ForwardedProposeBuilder(from, term);
  }

  static ForwardedProposeResultBuilder forwardedProposeResult(String from, long term) {
    return new ForwardedProposeResultBuilder(from, term);
  }

  static ForwardedReadBuilder forwardedRead(String from, long term) {
    return new ForwardedReadBuilder(from, term);
  }

  static SnapshotResponseBuilder snapshotResponse(String from, long term) {
    return new SnapshotResponseBuilder(from, term);
  }

  static ForwardedReadResultBuilder forwardedReadResult(String from, long term) {
    return new ForwardedReadResultBuilder(from, term);
  }

  static final class AppendBuilder {
    private final String from;
    private final long term;
    private String group = GROUP;
    private long prevIndex;
    private long prevTerm;
    private final List<LogEntry> entries = new ArrayList<>();
    private long commit;
    private long seq;

    private AppendBuilder(String from, long term) {
      this.from = from;
      this.term = term;
    }

    AppendBuilder prev(long index, long term) {
      prevIndex = index;
      prevTerm = term;
      return this;
    }

    AppendBuilder entries(List<LogEntry> more) {
      entries.addAll(more);
      return this;
    }

    /** Appends entries after the previous ones, of {@code term}, with commands {@code v<index>}. */
    AppendBuilder entriesOfTerm(long term, int count) {
      long next = prevIndex + entries.size() + 1;
      for (int i = 0; i < count; i++, next++) {
        entries.add(LogEntry.newBuilder().setIndex(next).setTerm(term)
            .setCommand(ByteString.copyFromUtf8("v" + next)).build());
      }
      return this;
    }

    AppendBuilder commit(long index) {
      commit = index;
      return this;
    }

    AppendBuilder seq(long readSeq) {
      seq = readSeq;
      return this;
    }

    AppendBuilder group(String id) {
      group = id;
      return this;
    }

    AppendEntries build() {
      return new AppendEntries(group, term, from, prevIndex, prevTerm, List.copyOf(entries), commit, seq);
    }
  }

  static final class AppendResponseBuilder {
    private final String from;
    private final long term;
    private boolean success = true;
    private long match;
    private long rejectedPrev;
    private long conflictIndex;
    private long conflictTerm;
    private long seq;
    private boolean draining;

    private AppendResponseBuilder(String from, long term) {
      this.from = from;
      this.term = term;
    }

    AppendResponseBuilder accepted(long matchIndex) {
      success = true;
      match = matchIndex;
      return this;
    }

    /** Refused at {@code prevIndex}, with the follower's hint (conflict index and the term there, 0 if none). */
    AppendResponseBuilder rejected(long prevIndex, long hintIndex, long hintTerm) {
      success = false;
      rejectedPrev = prevIndex;
      conflictIndex = hintIndex;
      conflictTerm = hintTerm;
      return this;
    }

    AppendResponseBuilder seq(long readSeq) {
      seq = readSeq;
      return this;
    }

    AppendResponseBuilder draining() {
      draining = true;
      return this;
    }

    AppendEntriesResponse build() {
      return new AppendEntriesResponse(GROUP, term, from, success, match, rejectedPrev, conflictIndex, conflictTerm,
          seq, draining);
    }
  }

  static final class VoteBuilder {
    private final String from;
    private final long term;
    private String group = GROUP;
    private long lastIndex;
    private long lastTerm;
    private boolean preVote;
    private boolean transfer;

    private VoteBuilder(String from, long term) {
      this.from = from;
      this.term = term;
    }

    VoteBuilder last(long index, long term) {
      lastIndex = index;
      lastTerm = term;
      return this;
    }

    VoteBuilder preVote() {
      preVote = true;
      return this;
    }

    VoteBuilder leadershipTransfer() {
      transfer = true;
      return this;
    }

    VoteBuilder group(String id) {
      group = id;
      return this;
    }

    RequestVote build() {
      return new RequestVote(group, term, from, lastIndex, lastTerm, preVote, transfer);
    }
  }

  static final class SnapshotChunkBuilder {
    private final String from;
    private final long term;
    private long lastIndex;
    private long lastTerm;
    private long offset;
    private ByteString data = ByteString.EMPTY;
    private long totalSize;
    private long transfer;
    private long checksum;
    private Optional<Configuration> config = Optional.empty();
    private long configIndex;

    private SnapshotChunkBuilder(String from, long term) {
      this.from = from;
      this.term = term;
    }

    SnapshotChunkBuilder covering(long index, long term) {
      lastIndex = index;
      lastTerm = term;
      return this;
    }

    SnapshotChunkBuilder chunk(long offset, ByteString data, long totalSize) {
      this.offset = offset;
      this.data = data;
      this.totalSize = totalSize;
      return this;
    }

    SnapshotChunkBuilder transfer(long id, long checksum) {
      this.transfer = id;
      this.checksum = checksum;
      return this;
    }

    /** The snapshot carries {@code config}, of entry {@code index}. */
    SnapshotChunkBuilder config(Configuration config, long index) {
      this.config = Optional.of(config);
      this.configIndex = index;
      return this;
    }

    /** The snapshot carries {@code config} (empty: none), of entry {@code index}. */
    SnapshotChunkBuilder config(Optional<Configuration> config, long index) {
      this.config = config;
      this.configIndex = config.isPresent() ? index : 0;
      return this;
    }

    InstallSnapshot build() {
      return new InstallSnapshot(GROUP, term, from, lastIndex, lastTerm, offset, data, totalSize, transfer, checksum,
          config, configIndex);
    }
  }

  static final class VoteResponseBuilder {
    private final String from;
    private final long term;
    private String group = GROUP;
    private boolean granted;
    private boolean preVote;

    private VoteResponseBuilder(String from, long term) {
      this.from = from;
      this.term = term;
    }

    VoteResponseBuilder granted() {
      granted = true;
      return this;
    }

    /** The default; for a test that says the vote is refused. */
    VoteResponseBuilder refused() {
      granted = false;
      return this;
    }

    VoteResponseBuilder preVote() {
      preVote = true;
      return this;
    }

    VoteResponseBuilder group(String id) {
      group = id;
      return this;
    }

    RequestVoteResponse build() {
      return new RequestVoteResponse(group, term, from, granted, preVote);
    }
  }

  /** The leader's answer to a ReadIndex request; not confirmed (read index 0) unless {@code confirmed}. */
  static final class ReadIndexResponseBuilder {
    private final String from;
    private final long term;
    private long requestId;
    private boolean ok;
    private long readIndex;

    private ReadIndexResponseBuilder(String from, long term) {
      this.from = from;
      this.term = term;
    }

    ReadIndexResponseBuilder request(long id) {
      requestId = id;
      return this;
    }

    ReadIndexResponseBuilder confirmed(long index) {
      ok = true;
      readIndex = index;
      return this;
    }

    ReadIndexResponse build() {
      return new ReadIndexResponse(GROUP, term, from, requestId, ok, readIndex);
    }
  }

  static final class ForwardedProposeBuilder {
    private final String from;
    private final long term;
    private long proposalId;
    private ByteString command = ByteString.EMPTY;

    private ForwardedProposeBuilder(String from, long term) {
      this.from = from;
      this.term = term;
    }

    ForwardedProposeBuilder proposal(long id, ByteString command) {
      proposalId = id;
      this.command = command;
      return this;
    }

    ForwardedPropose build() {
      return new ForwardedPropose(GROUP, term, from, proposalId, command);
    }
  }

  /** The leader's outcome of a forwarded proposal; {@code UNKNOWN} unless {@code committed}. */
  static final class ForwardedProposeResultBuilder {
    private final String from;
    private final long term;
    private long proposalId;
    private ForwardedProposeResult.Outcome outcome = ForwardedProposeResult.Outcome.UNKNOWN;
    private long index;
    private ByteString result = ByteString.EMPTY;
    private String reason = "";

    private ForwardedProposeResultBuilder(String from, long term) {
      this.from = from;
      this.term = term;
    }

    ForwardedProposeResultBuilder proposal(long id) {
      proposalId = id;
      return this;
    }

    /** Any outcome, as a transcript names it (the result stays empty). */
    ForwardedProposeResultBuilder outcome(ForwardedProposeResult.Outcome what, long atIndex) {
      outcome = what;
      index = atIndex;
      return this;
    }

    ForwardedProposeResultBuilder committed(long atIndex, ByteString commandResult) {
      outcome = ForwardedProposeResult.Outcome.COMMITTED;
      index = atIndex;
      result = commandResult;
      return this;
    }

    ForwardedProposeResult build() {
      return new ForwardedProposeResult(GROUP, term, from, proposalId, outcome, index, result, reason);
    }
  }

  static final class ForwardedReadBuilder {
    private final String from;
    private final long term;
    private long readId;
    private ByteString query = ByteString.EMPTY;
    private long minIndex;

    private ForwardedReadBuilder(String from, long term) {
      this.from = from;
      this.term = term;
    }

    ForwardedReadBuilder read(long id, ByteString query) {
      readId = id;
      this.query = query;
      return this;
    }

    ForwardedReadBuilder minIndex(long index) {
      minIndex = index;
      return this;
    }

    ForwardedRead build() {
      return new ForwardedRead(GROUP, term, from, readId, query, minIndex);
    }
  }

  /** The leader's answer to a forwarded read; failed (not ok, empty) unless {@code served}. */
  static final class ForwardedReadResultBuilder {
    private final String from;
    private final long term;
    private long readId;
    private boolean ok;
    private ByteString result = ByteString.EMPTY;
    private long appliedIndex;

    private ForwardedReadResultBuilder(String from, long term) {
      this.from = from;
      this.term = term;
    }

    ForwardedReadResultBuilder read(long id) {
      readId = id;
      return this;
    }

    ForwardedReadResultBuilder served(ByteString queryResult, long atAppliedIndex) {
      ok = true;
      result = queryResult;
      appliedIndex = atAppliedIndex;
      return this;
    }

    ForwardedReadResult build() {
      return new ForwardedReadResult(GROUP, term, from, readId, ok, result, appliedIndex);
    }
  }

  /** A follower's answer to a snapshot chunk: the next offset it expects, or that it installed it. */
  static final class SnapshotResponseBuilder {
    private final String from;
    private final long term;
    private long lastIndex;
    private long lastTerm;
    private long nextOffset;
    private boolean installed;
    private long transfer;

    private SnapshotResponseBuilder(String from, long term) {
      this.from = from;
      this.term = term;
    }

    SnapshotResponseBuilder covering(long index, long snapshotTerm) {
      lastIndex = index;
      lastTerm = snapshotTerm;
      return this;
    }

    SnapshotResponseBuilder next(long offset) {
      nextOffset = offset;
      return this;
    }

    SnapshotResponseBuilder installed(boolean done) {
      installed = done;
      return this;
    }

    SnapshotResponseBuilder transfer(long id) {
      transfer = id;
      return this;
    }

    InstallSnapshotResponse build() {
      return new InstallSnapshotResponse(GROUP, term, from, lastIndex, lastTerm, nextOffset, installed, transfer);
    }
  }
}
