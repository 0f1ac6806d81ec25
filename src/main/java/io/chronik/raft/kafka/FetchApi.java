package io.chronik.raft.kafka;

import akka.actor.typed.Scheduler;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.kafka.proto.KafkaReadResult;
import io.chronik.raft.replica.ReadPolicy;
import io.chronik.raft.statemachine.kafka.KafkaLogStateMachine;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * Fetch, from any node: each partition is read through this node's replica under the node's
 * follower-read policy — with {@code safe} a ReadIndex read, so the answer holds every batch
 * acknowledged before the fetch was sent, and its high watermark is at least theirs.
 *
 * <p>Follower fetch (KIP-392): a fetch that names the client's rack, sent to a node in another
 * rack, is answered with {@code preferred_read_replica} = a replica in the client's rack and no
 * records; the client fetches from there next. Never with the policy {@code none}, which sends
 * every read to the leader.
 *
 * <p>No fetch sessions: session id 0, every requested partition answered. A fetch with less than
 * {@code min_bytes} waits (at most {@code max_wait_ms}) until one of its partitions applies another
 * entry — the replica holds a read for a log index it has not applied yet — then reads again.
 */
final class FetchApi {
  private final ChronikRaft chronik;
  private final Brokers brokers;
  private final ReadPolicy policy;
  private final Scheduler scheduler;
  private final scala.concurrent.ExecutionContextExecutor executor;

  private final io.micrometer.core.instrument.Counter servedHere;
  private final io.micrometer.core.instrument.Counter redirected;

  FetchApi(ChronikRaft chronik, Brokers brokers, ReadPolicy policy, Scheduler scheduler,
      scala.concurrent.ExecutionContextExecutor executor, io.micrometer.core.instrument.MeterRegistry registry) {
    this.executor = executor;
    String node = chronik.node().nodeId();
    this.servedHere = io.micrometer.core.instrument.Counter.builder("chronik.kafka.fetch.partitions")
        .description("Partitions of Kafka fetches: read on this node's replica (here) or sent to a replica in the "
            + "client's rack (redirected)").tags("node", node, "served", "here").register(registry);
    this.redirected = io.micrometer.core.instrument.Counter.builder("chronik.kafka.fetch.partitions")
        .tags("node", node, "served", "redirected").register(registry);
    this.chronik = chronik;
    this.brokers = brokers;
    this.policy = policy;
    this.scheduler = scheduler;
  }

  /** One partition's answer, and the applied index its replica read at (-1: not read here). */
  private record Part(String topic, FetchRequestData.FetchPartition request, FetchResponseData.PartitionData response,
      long appliedIndex) {
    int bytes() {
      return response.records() == null ? 0 : response.records().sizeInBytes();
    }
  }

  CompletionStage<ApiMessage> handle(FetchRequestData request, short version) {
    String rack = version >= 11 && request.rackId() != null ? request.rackId() : "";
    long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, request.maxWaitMs()));
    return readAll(request, rack).thenCompose(first -> {
      int bytes = first.stream().mapToInt(Part::bytes).sum();
      boolean failed = first.stream().anyMatch(p -> p.response().errorCode() != 0);
      boolean readable = first.stream().anyMatch(p -> p.appliedIndex() >= 0);
      if (bytes >= request.minBytes() || failed || !readable || System.nanoTime() >= waitUntil) {
        return CompletableFuture.completedFuture(response(request, first));
      }
      return nextApply(first, waitUntil).thenCompose(v -> readAll(request, rack)).thenApply(p -> response(request, p));
    });
  }

  /** Completes when one of the partitions read applies another entry, or at {@code waitUntil}. */
  private CompletableFuture<Void> nextApply(List<Part> parts, long waitUntil) {
    CompletableFuture<Void> woken = new CompletableFuture<>();
    long left = waitUntil - System.nanoTime();
    scheduler.scheduleOnce(Duration.ofNanos(Math.max(0, left)), () -> woken.complete(null), executor);
    for (Part p : parts) {
      if (p.appliedIndex() < 0) continue;
      chronik.kafkaQuery(p.topic(), p.request().partition(), KafkaLogStateMachine.offsetAt(-1), Optional.of(policy),
          p.appliedIndex() + 1, waitUntil).whenComplete((r, e) -> woken.complete(null));
    }
    return woken;
  }

  private CompletableFuture<List<Part>> readAll(FetchRequestData request, String rack) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int maxBytes = request.maxBytes() > 0 ? request.maxBytes() : Integer.MAX_VALUE;
    List<CompletableFuture<Part>> parts = new ArrayList<>();
    for (FetchRequestData.FetchTopic topic : request.topics()) {
      for (FetchRequestData.FetchPartition p : topic.partitions()) {
        parts.add(read(topic.topic(), p, rack, Math.min(maxBytes, Math.max(1, p.partitionMaxBytes())), deadline));
      }
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(v -> parts.stream().map(CompletableFuture::join).toList());
  }

  private CompletableFuture<Part> read(String topic, FetchRequestData.FetchPartition p, String rack, int maxBytes,
      long deadline) {
    FetchResponseData.PartitionData out = new FetchResponseData.PartitionData().setPartitionIndex(p.partition())
        .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1).setRecords(MemoryRecords.EMPTY);
    Optional<Integer> elsewhere = preferredReplica(topic, p.partition(), rack);
    if (elsewhere.isPresent()) {
      redirected.increment();
      return CompletableFuture.completedFuture(new Part(topic, p, out.setPreferredReadReplica(elsewhere.get()), -1));
    }
    servedHere.increment();
    return chronik.kafkaQuery(topic, p.partition(), KafkaLogStateMachine.fetch(p.fetchOffset(), maxBytes),
        Optional.of(policy), 0, deadline).toCompletableFuture().handle((rr, e) -> {
          if (e != null) {
            return new Part(topic, p, out.setErrorCode(KafkaErrors.of(e).code()), -1);
          }
          KafkaReadResult r = KafkaLogStateMachine.readResult(rr.result());
          out.setHighWatermark(r.getHighWatermark()).setLastStableOffset(r.getHighWatermark())
              .setLogStartOffset(r.getLogStartOffset()).setErrorCode((short) r.getErrorCode());
          if (!r.getRecords().isEmpty()) {
            out.setRecords(MemoryRecords.readableRecords(ByteBuffer.wrap(r.getRecords().toByteArray())));
          }
          return new Part(topic, p, out, r.getErrorCode() == 0 ? rr.appliedIndex() : -1);
        });
  }

  /**
   * The broker a client in {@code rack} should fetch this partition from instead of this node: a
   * replica in its rack, when this node is not in it; empty when this node should serve it.
   */
  private Optional<Integer> preferredReplica(String topic, int partition, String rack) {
    if (rack.isEmpty() || policy == ReadPolicy.NONE) return Optional.empty();
    String self = chronik.node().nodeId();
    if (rack.equals(chronik.node().rack(self).orElse(""))) return Optional.empty();
    String group = topic + "-" + partition;
    if (!chronik.node().hasPartition(group)) return Optional.empty();
    return chronik.node().replicaNodes(group).stream().sorted()
        .map(brokers::broker).flatMap(Optional::stream)
        .filter(b -> b.rack().equals(rack))
        .map(Brokers.Broker::id).findFirst();
  }

  /** The answer, within the request's {@code max_bytes}: a partition that would pass it is left empty (asked again). */
  private static FetchResponseData response(FetchRequestData request, List<Part> parts) {
    FetchResponseData out = new FetchResponseData().setSessionId(0);
    long budget = request.maxBytes() > 0 ? request.maxBytes() : Long.MAX_VALUE;
    long used = 0;
    FetchResponseData.FetchableTopicResponse current = null;
    for (Part p : parts) {
      if (current == null || !current.topic().equals(p.topic())) {
        current = new FetchResponseData.FetchableTopicResponse().setTopic(p.topic());
        out.responses().add(current);
      }
      if (used > 0 && used + p.bytes() > budget) p.response().setRecords(MemoryRecords.EMPTY);
      used += p.bytes();
      current.partitions().add(p.response());
    }
    return out;
  }
}
