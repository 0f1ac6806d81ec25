package io.chronik.raft.api;

import akka.NotUsed;
import akka.grpc.GrpcServiceException;
import akka.grpc.javadsl.Metadata;
import akka.grpc.javadsl.MetadataBuilder;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.grpc.ChronikPowerApi;
import io.chronik.raft.api.grpc.CompareAndSetRequest;
import io.chronik.raft.api.grpc.CompareAndSetResponse;
import io.chronik.raft.api.grpc.DeleteRequest;
import io.chronik.raft.api.grpc.DeleteResponse;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
import io.chronik.raft.api.grpc.GetRequest;
import io.chronik.raft.api.grpc.GetResponse;
import io.chronik.raft.api.grpc.LeaderTransferRequest;
import io.chronik.raft.api.grpc.LeaderTransferResponse;
import io.chronik.raft.api.grpc.NodeAddRequest;
import io.chronik.raft.api.grpc.NodeChangeDone;
import io.chronik.raft.api.grpc.NodeChangeProgress;
import io.chronik.raft.api.grpc.NodeInfo;
import io.chronik.raft.api.grpc.NodeListRequest;
import io.chronik.raft.api.grpc.NodeListResponse;
import io.chronik.raft.api.grpc.NodeRemoveRequest;
import io.chronik.raft.api.grpc.PartitionStatus;
import io.chronik.raft.api.grpc.PingRequest;
import io.chronik.raft.api.grpc.PingResponse;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.ProduceResponse;
import io.chronik.raft.api.grpc.PutRequest;
import io.chronik.raft.api.grpc.PutResponse;
import io.chronik.raft.api.grpc.ReadIndexRequest;
import io.chronik.raft.api.grpc.ReadIndexResponse;
import io.chronik.raft.api.grpc.ReplicaStatus;
import io.chronik.raft.api.grpc.StatusRequest;
import io.chronik.raft.api.grpc.StatusResponse;
import akka.stream.BoundedSourceQueue;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import io.chronik.raft.cluster.ReplicaMover;
import io.chronik.raft.core.Configuration;
import io.chronik.raft.core.MembershipRules;
import io.chronik.raft.replica.ClientProtocol;
import io.chronik.raft.replica.ReadPolicy;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The gRPC API ({@code proto/chronik.proto}) on top of {@link ChronikRaft}. Every call is
 * validated first; every failure becomes a documented status code with a message a person can
 * act on, and a {@code chronik-leader-hint} trailer when a leader is known.
 */
public final class ChronikGrpcService implements ChronikPowerApi {
  static final int MAX_FETCH_RECORDS = 10_000;
  static final long MAX_FETCH_BYTES = 16L << 20;
  /** Trailer: the leader's gRPC address (host:port), when it is known. */
  static final String LEADER_HINT = "chronik-leader-hint";
  /** Trailer: the leader's node id, when a leader is known. */
  static final String LEADER_ID = "chronik-leader-id";
  /**
   * Set on errors after which nothing happened, so that a client may retry any request, writes
   * included; without it (a broken connection, a timeout, {@code ABORTED}) a write may have been
   * applied.
   */
  static final String RETRY_SAFE = "chronik-retry-safe";
  /** Trailer of a call refused for overload: how long to wait before retrying, in milliseconds. */
  static final String RETRY_AFTER_MS = "chronik-retry-after-ms";

  /** Progress lines of a node add or remove buffered for a slow client; past it, lines are dropped (never blocks). */
  static final int PROGRESS_BUFFER = 4096;

  private final ChronikRaft chronik;
  private final GrpcMetrics metrics;
  private final int maxInFlight;
  private final Materializer materializer;

  /**
   * @param maxInFlight calls this node works on at once; past it a call is refused at once (admission control)
   * @param materializer runs the streams of progress messages (node add, node remove)
   */
  public ChronikGrpcService(ChronikRaft chronik, GrpcMetrics metrics, int maxInFlight, Materializer materializer) {
    this.chronik = chronik;
    this.metrics = metrics;
    this.maxInFlight = maxInFlight;
    this.materializer = materializer;
  }

  @Override
  public CompletionStage<ProduceResponse> produce(ProduceRequest in, Metadata metadata) {
    return call("Produce", () -> {
      if (in.getRecordsCount() == 0) throw invalid("records must not be empty");
      int partition = partition(in.getTopic(), in.getPartition());
      long deadline = Deadlines.of(metadata);
      if (in.getProducerId() == 0 && in.getSequence() != 0) {
        throw invalid("sequence " + in.getSequence() + " given without a producer_id; set both for an idempotent produce");
      }
      CompletionStage<ChronikRaft.Produced> produced = in.getProducerId() == 0
          ? chronik.produce(in.getTopic(), partition, in.getRecordsList(), deadline)
          : chronik.produce(in.getTopic(), partition, in.getRecordsList(), in.getProducerId(), in.getSequence(), deadline);
      return produced.thenApply(p -> ProduceResponse.newBuilder().setBaseOffset(p.baseOffset()).setCount(p.count())
          .setLogIndex(p.logIndex()).setLeader(p.leader()).setDuplicate(p.duplicate()).build());
    });
  }

  @Override
  public CompletionStage<FetchResponse> fetch(FetchRequest in, Metadata metadata) {
    return call("Fetch", () -> {
      int partition = partition(in.getTopic(), in.getPartition());
      if (in.getOffset() < 0) throw invalid("offset must be >= 0, got " + in.getOffset());
      if (in.getMaxRecords() <= 0 || in.getMaxRecords() > MAX_FETCH_RECORDS) {
        throw invalid("max_records must be in [1, " + MAX_FETCH_RECORDS + "], got " + in.getMaxRecords());
      }
      if (in.getMaxBytes() <= 0 || in.getMaxBytes() > MAX_FETCH_BYTES) {
        throw invalid("max_bytes must be in [1, " + MAX_FETCH_BYTES + "], got " + in.getMaxBytes());
      }
      if (in.getMinIndex() < 0) throw invalid("min_index must be >= 0, got " + in.getMinIndex());
      return chronik.fetch(in.getTopic(), partition, in.getOffset(), in.getMaxRecords(), in.getMaxBytes(),
              policy(in.getReadPolicy()), in.getMinIndex(), Deadlines.of(metadata))
          .thenApply(f -> FetchResponse.newBuilder().addAllRecords(f.records()).setFirstOffset(f.firstOffset())
              .setHighWatermark(f.highWatermark()).setServedBy(f.servedBy()).setAppliedIndex(f.appliedIndex())
              .setLogStartOffset(f.logStartOffset()).build());
    });
  }

  @Override
  public CompletionStage<PutResponse> put(PutRequest in, Metadata metadata) {
    return call("Put", () -> chronik.put(in.getTopic(), partition(in.getTopic(), in.getPartition()), key(in.getKey()),
            in.getValue(), Deadlines.of(metadata))
        .thenApply(w -> PutResponse.newBuilder().setHadPrevious(w.result().getFound())
            .setPrevious(w.result().getValue()).setLogIndex(w.logIndex()).build()));
  }

  @Override
  public CompletionStage<DeleteResponse> delete(DeleteRequest in, Metadata metadata) {
    return call("Delete", () -> chronik.delete(in.getTopic(), partition(in.getTopic(), in.getPartition()),
            key(in.getKey()), Deadlines.of(metadata))
        .thenApply(w -> DeleteResponse.newBuilder().setHadPrevious(w.result().getFound())
            .setPrevious(w.result().getValue()).setLogIndex(w.logIndex()).build()));
  }

  @Override
  public CompletionStage<GetResponse> get(GetRequest in, Metadata metadata) {
    return call("Get", () -> {
      if (in.getMinIndex() < 0) throw invalid("min_index must be >= 0, got " + in.getMinIndex());
      return chronik.get(in.getTopic(), partition(in.getTopic(), in.getPartition()), key(in.getKey()),
              policy(in.getReadPolicy()), in.getMinIndex(), Deadlines.of(metadata))
          .thenApply(r -> GetResponse.newBuilder().setFound(r.result().getFound()).setValue(r.result().getValue())
              .setServedBy(r.servedBy()).setAppliedIndex(r.appliedIndex()).build());
    });
  }

  @Override
  public CompletionStage<CompareAndSetResponse> compareAndSet(CompareAndSetRequest in, Metadata metadata) {
    return call("CompareAndSet", () -> {
      if (in.getExpectAbsent() && !in.getExpectedValue().isEmpty()) {
        throw invalid("set either expect_absent or expected_value, not both");
      }
      Optional<ByteString> expected = in.getExpectAbsent() ? Optional.empty() : Optional.of(in.getExpectedValue());
      return chronik.compareAndSet(in.getTopic(), partition(in.getTopic(), in.getPartition()), key(in.getKey()),
              expected, in.getNewValue(), Deadlines.of(metadata))
          .thenApply(w -> CompareAndSetResponse.newBuilder().setApplied(w.result().getApplied())
              .setFound(w.result().getFound()).setPrevious(w.result().getValue()).setLogIndex(w.logIndex()).build());
    });
  }

  @Override
  public CompletionStage<ReadIndexResponse> readIndex(ReadIndexRequest in, Metadata metadata) {
    return call("ReadIndex", () -> chronik.readIndex(in.getTopic(), partition(in.getTopic(), in.getPartition()), Deadlines.of(metadata))
        .thenApply(r -> ReadIndexResponse.newBuilder().setReadIndex(r.appliedIndex()).setServedBy(r.servedBy()).build()));
  }

  @Override
  public CompletionStage<StatusResponse> status(StatusRequest in, Metadata metadata) {
    return call("Status", () -> {
      List<CompletableFuture<PartitionStatus>> partitions = new ArrayList<>();
      for (String group : chronik.node().partitions().keySet()) {
        partitions.add(chronik.status(group).toCompletableFuture().thenApply(replicas -> partitionStatus(group, replicas)));
      }
      return CompletableFuture.allOf(partitions.toArray(CompletableFuture[]::new)).thenApply(v -> {
        StatusResponse.Builder out = StatusResponse.newBuilder().setNodeId(chronik.node().nodeId())
            .setClusterId(chronik.node().clusterId().orElse(""))
            .addAllNodes(chronik.node().nodes());
        for (io.chronik.raft.cluster.ClusterNode.NodeState n : chronik.node().nodeStates()) {
          out.addNodeStates(io.chronik.raft.api.grpc.NodeStatus.newBuilder().setNode(n.nodeId()).setState(n.state())
              .setAddress(n.address().orElse("")).setOldestMember(n.oldest())
              .setGrpcAddress(chronik.node().grpcAddress(n.nodeId()).orElse("")));
        }
        for (CompletableFuture<PartitionStatus> p : partitions) out.addPartitions(p.join());
        return out.build();
      });
    });
  }

  @Override
  public CompletionStage<PingResponse> ping(PingRequest in, Metadata metadata) {
    return CompletableFuture.completedFuture(PingResponse.newBuilder().setNodeId(chronik.node().nodeId())
        .setClientIdentity(ClientIdentity.of(metadata).orElse("")).build());
  }

  /**
   * One row per member of the partition's configuration (the leader's, else the latest a replica
   * reports; none answering: the configuration files' voters), each with its replica's status when
   * it answered.
   */
  private PartitionStatus partitionStatus(String group, List<ClientProtocol.Status> replicas) {
    PartitionStatus.Builder p = PartitionStatus.newBuilder().setPartition(group);
    ReplicaMover.GroupView view = ReplicaMover.view(group, replicas);
    chronik.node().preferredLeader(group, view.config()).ifPresent(p::setPreferredLeader);
    view.leader().ifPresent(p::setLeader);
    long leaderLast = replicas.stream().filter(s -> s.role().equals("leader")).mapToLong(ClientProtocol.Status::lastIndex)
        .max().orElse(0);
    Configuration config = view.config()
        .orElseGet(() -> Configuration.legacy(new java.util.HashSet<>(chronik.node().voters(group))));
    p.addAllVoters(config.voters()).addAllOutgoingVoters(config.outgoing()).addAllLearners(config.learners())
        .setConfigIndex(view.configIndex()).setConfigCommitted(view.committed());
    for (String member : config.members()) {
      Optional<ClientProtocol.Status> s = replicas.stream().filter(r -> r.replicaId().equals(member)).findFirst();
      boolean learner = config.isLearner(member);
      ReplicaStatus.Builder r = ReplicaStatus.newBuilder().setNode(Configuration.nodeOf(member)).setMember(member)
          .setLearner(learner);
      if (s.isEmpty()) {
        r.setRole("unreachable");
      } else {
        ClientProtocol.Status st = s.get();
        // A learner's replica runs as a follower; what matters to an operator is that it never votes.
        r.setRole(learner && st.role().equals("follower") ? "learner" : st.role()).setTerm(st.term())
            .setCommitIndex(st.commitIndex()).setAppliedIndex(st.appliedIndex())
            .setLastIndex(st.lastIndex()).setLag(Math.max(0, leaderLast - st.appliedIndex()))
            .setSnapshotIndex(st.snapshotIndex()).putAllStateMachine(st.stateMachine()).setFault(st.fault())
            .setConfigIndex(st.configIndex());
        st.config().ifPresent(c -> r.addAllVoters(c.voters()).addAllOutgoingVoters(c.outgoing())
            .addAllLearners(c.learners()));
      }
      p.addReplicas(r);
    }
    return p.build();
  }

  // ---------------------------------------------------------------- cluster administration

  @Override
  public CompletionStage<NodeListResponse> nodeList(NodeListRequest in, Metadata metadata) {
    return call("NodeList", () -> chronik.admin().nodes().thenApply(nodes -> {
      NodeListResponse.Builder out = NodeListResponse.newBuilder().setNodeId(chronik.node().nodeId());
      nodes.forEach(n -> out.addNodes(nodeInfo(n)));
      return out.build();
    }));
  }

  @Override
  public Source<NodeChangeProgress, NotUsed> nodeAdd(NodeAddRequest in, Metadata metadata) {
    return progressStream("NodeAdd", progress -> chronik.admin().add(nodeId(in.getNode()), progress));
  }

  @Override
  public Source<NodeChangeProgress, NotUsed> nodeRemove(NodeRemoveRequest in, Metadata metadata) {
    return progressStream("NodeRemove",
        progress -> chronik.admin().remove(nodeId(in.getNode()), in.getForce(), progress));
  }

  @Override
  public CompletionStage<io.chronik.raft.api.grpc.NodeCancelResponse> nodeCancel(
      io.chronik.raft.api.grpc.NodeCancelRequest in, Metadata metadata) {
    return call("NodeCancel", () -> {
      NodeAdmin.Running r = chronik.admin().cancel();
      return CompletableFuture.completedFuture(io.chronik.raft.api.grpc.NodeCancelResponse.newBuilder()
          .setOperation(r.what()).setRunningSeconds(r.seconds()).build());
    });
  }

  @Override
  public CompletionStage<LeaderTransferResponse> leaderTransfer(LeaderTransferRequest in, Metadata metadata) {
    return call("LeaderTransfer", () -> {
      String group = chronik.group(in.getTopic(), partition(in.getTopic(), in.getPartition()));
      return chronik.admin().transferLeader(group, nodeId(in.getNode())).thenApply(t -> LeaderTransferResponse
          .newBuilder().setPartition(t.group()).setLeader(t.leader()).addAllSteps(t.steps()).build());
    });
  }

  // ---------------------------------------------------------------- topics at runtime

  @Override
  public CompletionStage<io.chronik.raft.api.grpc.TopicCreateResponse> topicCreate(
      io.chronik.raft.api.grpc.TopicCreateRequest in, Metadata metadata) {
    return call("TopicCreate", () -> chronik.topicAdmin().create(in.getName(), in.getPartitions(),
            in.getReplicationFactor(), in.getKind(), in.getRetentionBytes(), in.getRetentionMs())
        .thenApply(t -> io.chronik.raft.api.grpc.TopicCreateResponse.newBuilder().setTopic(topicInfo(t)).build()));
  }

  @Override
  public CompletionStage<io.chronik.raft.api.grpc.TopicListResponse> topicList(
      io.chronik.raft.api.grpc.TopicListRequest in, Metadata metadata) {
    return call("TopicList", () -> chronik.topicAdmin().list().thenApply(topics -> {
      io.chronik.raft.api.grpc.TopicListResponse.Builder out = io.chronik.raft.api.grpc.TopicListResponse.newBuilder();
      topics.forEach(t -> out.addTopics(topicInfo(t)));
      return out.build();
    }));
  }

  @Override
  public CompletionStage<io.chronik.raft.api.grpc.TopicDeleteResponse> topicDelete(
      io.chronik.raft.api.grpc.TopicDeleteRequest in, Metadata metadata) {
    return call("TopicDelete", () -> chronik.topicAdmin().delete(in.getName())
        .thenApply(t -> io.chronik.raft.api.grpc.TopicDeleteResponse.newBuilder().setTopic(topicInfo(t)).build()));
  }

  private static io.chronik.raft.api.grpc.TopicInfo topicInfo(ChronikRaft.Topic t) {
    io.chronik.raft.api.grpc.TopicInfo.Builder out = io.chronik.raft.api.grpc.TopicInfo.newBuilder().setName(t.name())
        .setPartitions(t.partitions()).setReplicationFactor(t.replicationFactor()).setKind(t.kind())
        .setSource(t.source());
    for (int p = 0; p < t.placement().size(); p++) {
      out.addPlacement(io.chronik.raft.api.grpc.TopicPartitionReplicas.newBuilder().setPartition(t.name() + "-" + p)
          .addAllNodes(t.placement().get(p)));
    }
    return out.build();
  }

  /**
   * A stream of one message per step of {@code operation}, then its summary; its failure (at
   * once, or halfway) closes the stream with the status it maps to. The operation goes on if the
   * client goes away: stopping it halfway would only leave a step to resume.
   */
  private Source<NodeChangeProgress, NotUsed> progressStream(String method,
      Function<Consumer<String>, CompletionStage<NodeAdmin.Done>> operation) {
    if (metrics.inFlight() >= maxInFlight) {
      CompletableFuture<NodeChangeProgress> refused = new CompletableFuture<>();
      metrics.timed(method, this::<NodeChangeProgress>overloaded).whenComplete((v, e) -> refused.completeExceptionally(e));
      return Source.completionStage(refused);
    }
    akka.japi.Pair<BoundedSourceQueue<NodeChangeProgress>, Source<NodeChangeProgress, NotUsed>> queue =
        Source.<NodeChangeProgress>queue(PROGRESS_BUFFER).preMaterialize(materializer);
    BoundedSourceQueue<NodeChangeProgress> out = queue.first();
    metrics.timed(method, () -> call(() -> operation.apply(
            line -> out.offer(NodeChangeProgress.newBuilder().setStep(line).build()))))
        .whenComplete((done, error) -> {
          if (error != null) {
            out.fail(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            return;
          }
          NodeChangeDone.Builder d = NodeChangeDone.newBuilder().setNode(done.node()).addAllMoves(done.moves());
          done.after().ifPresent(n -> d.setAfter(nodeInfo(n)));
          out.offer(NodeChangeProgress.newBuilder().setDone(d).build());
          out.complete();
        });
    return queue.second();
  }

  private NodeInfo nodeInfo(ReplicaMover.NodeInfo n) {
    return NodeInfo.newBuilder().setNode(n.nodeId()).setAnswering(n.answering()).setStore(n.store().orElse(""))
        .setVoters(n.voters()).setLearners(n.learners()).setLeaders(n.leaders()).setLost(n.lost())
        .setGrpcAddress(chronik.node().grpcAddress(n.nodeId()).orElse("")).build();
  }

  /** A node id as configured: not a member id ("n4/3"), no blanks or control characters. */
  private static String nodeId(String node) {
    if (node.isBlank()) throw invalid("node must not be empty");
    if (node.length() > 200) throw invalid("node id is " + node.length() + " characters long; node ids are short names");
    if (node.contains("/")) {
      throw invalid("'" + node + "' is a member id (node/replica); give the node id, '" + Configuration.nodeOf(node) + "'");
    }
    if (node.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw invalid("node id " + quoted(node) + " holds a blank or control character");
    }
    return node;
  }

  private static String quoted(String s) {
    StringBuilder q = new StringBuilder("'");
    s.codePoints().forEach(c -> q.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : Character.toString(c)));
    return q.append('\'').toString();
  }

  // ---------------------------------------------------------------- validation and errors

  private int partition(String topic, int partition) {
    if (topic.isBlank()) throw invalid("topic must not be empty");
    if (partition < 0) throw invalid("partition must be >= 0, got " + partition);
    chronik.group(topic, partition); // NOT_FOUND when not configured
    return partition;
  }

  private static String key(String key) {
    if (key.isEmpty()) throw invalid("key must not be empty");
    return key;
  }

  private static Optional<ReadPolicy> policy(io.chronik.raft.api.grpc.ReadPolicy p) {
    return switch (p) {
      case READ_POLICY_DEFAULT -> Optional.empty();
      case READ_POLICY_NONE -> Optional.of(ReadPolicy.NONE);
      case READ_POLICY_SAFE -> Optional.of(ReadPolicy.SAFE);
      case READ_POLICY_UNSAFE -> Optional.of(ReadPolicy.UNSAFE);
      default -> throw invalid("unknown read_policy " + p + "; use READ_POLICY_NONE, _SAFE or _UNSAFE");
    };
  }

  private static ChronikException invalid(String message) {
    return new ChronikException(ChronikException.Kind.INVALID_ARGUMENT, message);
  }

  /**
   * Runs {@code body}, turning every failure, thrown or in the stage, into a gRPC status, and
   * counts the call in {@code chronik_grpc_server_requests_seconds} by method and status code.
   */
  private <T> CompletionStage<T> call(String method, Supplier<CompletionStage<T>> body) {
    if (metrics.inFlight() >= maxInFlight) return metrics.timed(method, this::overloaded);
    return metrics.timed(method, () -> call(body));
  }

  /**
   * Refused before any work, so the client may retry anywhere: shedding load at once keeps every
   * admitted call within its deadline instead of queueing all of them past it.
   */
  private <T> CompletionStage<T> overloaded() {
    MetadataBuilder trailers = new MetadataBuilder().addText(RETRY_SAFE, "true").addText(RETRY_AFTER_MS, "100");
    return CompletableFuture.failedFuture(new GrpcServiceException(Status.RESOURCE_EXHAUSTED.withDescription(
        "node " + chronik.node().nodeId() + " is working on " + maxInFlight + " calls already (chronik.grpc.max-in-flight); "
            + "nothing was done: retry after a short pause, or on another node"), trailers.build()));
  }

  private <T> CompletionStage<T> call(Supplier<CompletionStage<T>> body) {
    CompletionStage<T> stage;
    try {
      stage = body.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(toGrpc(e, chronik.node()::grpcAddress));
    }
    return stage.handle((value, error) -> {
      if (error != null) throw toGrpc(error, chronik.node()::grpcAddress);
      return value;
    });
  }

  static GrpcServiceException toGrpc(Throwable error, java.util.function.Function<String, Optional<String>> grpcAddressOf) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof GrpcServiceException g) return g;
    if (e instanceof ChronikException c) {
      Status status = switch (c.kind()) {
        case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
        case NOT_FOUND -> Status.NOT_FOUND;
        case UNAVAILABLE -> Status.UNAVAILABLE;
        case TIMEOUT -> Status.DEADLINE_EXCEEDED;
        case OUTCOME_UNKNOWN -> Status.ABORTED;
        case OUT_OF_RANGE -> Status.OUT_OF_RANGE;
        case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
        case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
      };
      MetadataBuilder trailers = new MetadataBuilder();
      c.leaderHint().ifPresent(leader -> {
        trailers.addText(LEADER_ID, leader);
        grpcAddressOf.apply(leader).ifPresent(address -> trailers.addText(LEADER_HINT, address));
      });
      if (c.kind() != ChronikException.Kind.TIMEOUT && c.kind() != ChronikException.Kind.OUTCOME_UNKNOWN) {
        trailers.addText(RETRY_SAFE, "true");
      }
      return new GrpcServiceException(status.withDescription(c.getMessage()), trailers.build());
    }
    if (e instanceof ReplicaMover.MoveCancelled m) {
      return new GrpcServiceException(Status.CANCELLED.withDescription(m.getMessage()));
    }
    if (e instanceof ReplicaMover.MoveFailed m) {
      // No "retry-safe" trailer: a move may have made some of its steps before it stopped (sending
      // the call again resumes it from where the partitions stand).
      return new GrpcServiceException(status(m.refusal).withDescription(m.getMessage()));
    }
    if (e instanceof TimeoutException || e instanceof akka.pattern.AskTimeoutException) {
      return new GrpcServiceException(Status.DEADLINE_EXCEEDED.withDescription(
          "no answer in time from the partition's replicas: " + e.getMessage()
              + "; a write may or may not have been applied (read to find out, or resend an idempotent Produce)"));
    }
    return new GrpcServiceException(Status.INTERNAL.withDescription("unexpected failure: " + e));
  }

  /** A membership change's refusal as the status code proto/chronik.proto documents for it. */
  static Status status(MembershipRules.Refusal refusal) {
    return switch (refusal) {
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
      case NOT_FOUND -> Status.NOT_FOUND;
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
    };
  }
}
