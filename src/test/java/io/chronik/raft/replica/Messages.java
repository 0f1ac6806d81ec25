package io.chronik.raft.replica;

import com.google.protobuf.ByteString;
import io.chronik.raft.rpc.LogEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Named builders for the peer messages with many fields, so that a test says which field it
 * sets ({@code Messages.append("a", 2).prev(3, 2).commit(3).build()}) instead of counting
 * positional arguments. Unset fields are zero, empty or false; the group is {@code g}.
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

  static final class AppendBuilder {
    private final String from;
    private final long term;
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

    AppendEntries build() {
      return new AppendEntries(GROUP, term, from, prevIndex, prevTerm, List.copyOf(entries), commit, seq);
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

    RequestVote build() {
      return new RequestVote(GROUP, term, from, lastIndex, lastTerm, preVote, transfer);
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

    InstallSnapshot build() {
      return new InstallSnapshot(GROUP, term, from, lastIndex, lastTerm, offset, data, totalSize, transfer, checksum);
    }
  }
}
