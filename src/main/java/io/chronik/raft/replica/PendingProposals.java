package io.chronik.raft.replica;

import akka.actor.typed.ActorRef;
import com.google.protobuf.ByteString;
import io.chronik.raft.replica.ClientProtocol.OutcomeUnknown;
import io.chronik.raft.replica.ClientProtocol.ProposeReply;
import io.chronik.raft.replica.ClientProtocol.Proposed;
import java.util.Map;
import java.util.TreeMap;

/**
 * Proposals accepted into the leader's log and not yet answered, by log index. Each gets exactly
 * one reply: {@link Proposed} when its entry is applied, {@link OutcomeUnknown} when leadership
 * is lost first (the entry may still commit under the next leader).
 */
final class PendingProposals {
  private record Pending(long term, ActorRef<ProposeReply> replyTo) {}

  private final TreeMap<Long, Pending> byIndex = new TreeMap<>();

  void add(long index, long term, ActorRef<ProposeReply> replyTo) {
    byIndex.put(index, new Pending(term, replyTo));
  }

  /** The entry at {@code index} with {@code term} was applied with {@code result}. */
  void applied(long index, long term, ByteString result) {
    Pending p = byIndex.remove(index);
    if (p == null) return;
    if (p.term == term) {
      p.replyTo.tell(new Proposed(index, result));
    } else {
      // Another leader's entry replaced ours at this index: ours is gone for good.
      p.replyTo.tell(new OutcomeUnknown("entry " + index + " was overwritten by a newer leader"));
    }
  }

  void failAll(String reason) {
    for (Map.Entry<Long, Pending> e : byIndex.entrySet()) {
      e.getValue().replyTo.tell(new OutcomeUnknown(
          reason + " before entry " + e.getKey() + " was known to be committed; it may still commit"));
    }
    byIndex.clear();
  }

  int size() {
    return byIndex.size();
  }
}
