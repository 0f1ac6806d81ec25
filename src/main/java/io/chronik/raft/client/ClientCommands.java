package io.chronik.raft.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.chronik.raft.api.grpc.CompareAndSetRequest;
import io.chronik.raft.api.grpc.CompareAndSetResponse;
import io.chronik.raft.api.grpc.DeleteRequest;
import io.chronik.raft.api.grpc.DeleteResponse;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
import io.chronik.raft.api.grpc.GetRequest;
import io.chronik.raft.api.grpc.GetResponse;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.ProduceResponse;
import io.chronik.raft.api.grpc.PutRequest;
import io.chronik.raft.api.grpc.PutResponse;
import io.chronik.raft.api.grpc.ReadPolicy;
import io.chronik.raft.api.grpc.StatusRequest;
import io.chronik.raft.api.grpc.StatusResponse;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * gRPC client commands against a running node. Exit status: 0 done; 1 the call failed (the gRPC
 * status and message, from the node or the connection, go to standard error); 2 a usage error
 * (picocli's); 3 a compare-and-set found another value, so nothing was written.
 */
public final class ClientCommands {
  public static final int CALL_FAILED = 1;
  static final int NOT_APPLIED = 3;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Metadata.Key<String> LEADER_HINT =
      Metadata.Key.of("chronik-leader-hint", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> LEADER_ID =
      Metadata.Key.of("chronik-leader-id", Metadata.ASCII_STRING_MARSHALLER);
  /** Sends of one idempotent produce when its outcome stays unknown (the same producer id and sequence each time). */
  static final int PRODUCE_ATTEMPTS = 3;

  private ClientCommands() {}

  enum Output { text, json }

  /** Read policies by the names a person types. */
  enum Policy {
    none(ReadPolicy.READ_POLICY_NONE), safe(ReadPolicy.READ_POLICY_SAFE), unsafe(ReadPolicy.READ_POLICY_UNSAFE);

    final ReadPolicy proto;

    Policy(ReadPolicy proto) {
      this.proto = proto;
    }
  }

  public abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;

    // A client-side setting, not a node's configuration key: hence not in reference.conf.
    @Option(names = "--target", defaultValue = "${env:CHRONIK_TARGET:-127.0.0.1:9091}",
        description = "A node's gRPC address, host:port (default: the environment variable CHRONIK_TARGET, "
            + "else 127.0.0.1:9091).")
    String target;

    @Option(names = "--tls-trust-store", defaultValue = "${env:CHRONIK_TLS_TRUST_STORE:-}",
        description = "Connect with TLS, trusting the CA in this PKCS12 trust store (default: CHRONIK_TLS_TRUST_STORE; "
            + "empty: plaintext).")
    String tlsTrustStore;

    @Option(names = "--tls-key-store", defaultValue = "${env:CHRONIK_TLS_KEY_STORE:-}",
        description = "For mutual TLS: this client's key and certificate, PKCS12 (default: CHRONIK_TLS_KEY_STORE).")
    String tlsKeyStore;

    @Option(names = "--tls-password", defaultValue = "${env:CHRONIK_TLS_KEY_STORE_PASSWORD:-changeit}",
        description = "Password of both stores (default: CHRONIK_TLS_KEY_STORE_PASSWORD, else changeit).")
    String tlsPassword;

    @Option(names = {"-o", "--output"}, defaultValue = "text",
        description = "text or json: one JSON object per call, field names as in proto/chronik.proto in "
            + "lowerCamelCase, bytes (records, values) base64 (default: ${DEFAULT-VALUE}).")
    Output output;

    <Q extends Message, R extends Message> int call(MethodDescriptor<Q, R> method, Q request,
        Function<R, String> text) {
      return call(method, request, text, r -> 0);
    }

    /** Sends {@code request}, prints the answer, and returns the exit status; errors print their gRPC status. */
    <Q extends Message, R extends Message> int call(MethodDescriptor<Q, R> method, Q request, Function<R, String> text,
        ToIntFunction<R> exitStatus) {
      return call(method, request, text, exitStatus, 1);
    }

    /**
     * As above, sending {@code request} up to {@code attempts} times while the answer leaves its
     * outcome open (ABORTED, DEADLINE_EXCEEDED, UNAVAILABLE): only for requests a node applies at
     * most once however often they arrive (an idempotent produce).
     */
    <Q extends Message, R extends Message> int call(MethodDescriptor<Q, R> method, Q request, Function<R, String> text,
        ToIntFunction<R> exitStatus, int attempts) {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      return reportingFailures(err, node -> {
        R response = null;
        for (int attempt = 1; response == null; attempt++) {
          try {
            response = node.call(method, request);
          } catch (StatusRuntimeException e) {
            if (attempt >= attempts || !outcomeOpen(e.getStatus().getCode())) throw e;
            err.println(describe(e) + "; sending it again (attempt " + (attempt + 1) + " of " + attempts + ")");
          }
        }
        out.println(output == Output.json ? ProtoJson.print(response) : text.apply(response));
        out.flush();
        return exitStatus.applyAsInt(response);
      });
    }

    /** What a call does over one connection; returns the exit status. */
    interface OnConnection {
      int run(NodeConnection node) throws InterruptedException;
    }

    /** Runs {@code call} on a fresh connection; a failure is printed to {@code err} as the exit status {@link #CALL_FAILED}. */
    int reportingFailures(PrintWriter err, OnConnection call) {
      try (NodeConnection node = connect()) {
        return call.run(node);
      } catch (StatusRuntimeException e) {
        err.println(describe(e));
        return CALL_FAILED;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        err.println("interrupted");
        return CALL_FAILED;
      } catch (RuntimeException e) {
        err.println("call to " + target + " failed: " + e.getMessage());
        return CALL_FAILED;
      } finally {
        err.flush();
      }
    }

    /** How long a unary call may take before the client gives up on it. */
    Duration callTimeout() {
      return TIMEOUT;
    }

    NodeConnection connect() {
      java.util.Optional<ClientTls> tls = tlsTrustStore.isEmpty() ? java.util.Optional.empty()
          : java.util.Optional.of(new ClientTls(java.nio.file.Path.of(tlsTrustStore),
              tlsKeyStore.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(java.nio.file.Path.of(tlsKeyStore)),
              tlsPassword));
      return new NodeConnection(target, callTimeout(), tls);
    }

    /**
     * Sends {@code request} to a server-streaming method and prints each message as it arrives
     * (text, or one JSON object per line); returns the exit status (errors as in {@link #call}).
     */
    <Q extends Message, R extends Message> int stream(MethodDescriptor<Q, R> method, Q request,
        Function<R, String> text) {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        return reportingFailures(err, node -> {
          node.stream(method, request, message -> {
            out.println(output == Output.json ? ProtoJson.print(message) : text.apply(message));
            out.flush();
          });
          return 0;
        });
      } finally {
        out.flush();
      }
    }
  }

  private static boolean outcomeOpen(io.grpc.Status.Code code) {
    return code == io.grpc.Status.Code.ABORTED || code == io.grpc.Status.Code.DEADLINE_EXCEEDED
        || code == io.grpc.Status.Code.UNAVAILABLE;
  }

  /** "UNAVAILABLE: no leader for orders-0 (leader: node-2 at 127.0.0.1:9092)". */
  static String describe(StatusRuntimeException e) {
    io.grpc.Status s = e.getStatus();
    StringBuilder line = new StringBuilder(s.getCode().name()).append(": ")
        .append(s.getDescription() == null ? "(no message)" : s.getDescription());
    if (s.getCause() != null && s.getCause().getMessage() != null) {
      line.append(" (").append(s.getCause().getMessage()).append(')');
    }
    String id = e.getTrailers() == null ? null : e.getTrailers().get(LEADER_ID);
    String address = e.getTrailers() == null ? null : e.getTrailers().get(LEADER_HINT);
    if (id != null) line.append(" (leader: ").append(id).append(address == null ? "" : " at " + address).append(')');
    return line.toString();
  }

  public abstract static class PartitionBase extends Base {
    @Option(names = {"-t", "--topic"}, required = true) String topic;
    @Option(names = {"-p", "--partition"}, defaultValue = "0") int partition;
  }

  @Command(name = "produce", mixinStandardHelpOptions = true, description = "Append records to a record-log partition.")
  public static final class Produce extends PartitionBase {
    @Parameters(arity = "1..*", description = "Records (UTF-8).") List<String> records;

    @Override
    public Integer call() {
      // An idempotent producer of one batch: resending it after an unknown outcome appends it at most once.
      long producerId = java.util.concurrent.ThreadLocalRandom.current().nextLong() | 1;
      ProduceRequest.Builder req = ProduceRequest.newBuilder().setTopic(topic).setPartition(partition)
          .setProducerId(producerId).setSequence(0);
      records.forEach(r -> req.addRecords(ByteString.copyFromUtf8(r)));
      return call(ChronikMethods.PRODUCE, req.build(), (ProduceResponse r) -> r.getDuplicate()
          ? String.format("%d record(s) were already appended at offset %d by an earlier attempt (leader %s)",
              r.getCount(), r.getBaseOffset(), r.getLeader())
          : String.format("appended %d record(s) at offset %d (log index %d, leader %s)", r.getCount(),
              r.getBaseOffset(), r.getLogIndex(), r.getLeader()), r -> 0, PRODUCE_ATTEMPTS);
    }
  }

  @Command(name = "fetch", mixinStandardHelpOptions = true, description = "Read records from an offset.")
  public static final class Fetch extends PartitionBase {
    @Option(names = "--offset", defaultValue = "0") long offset;
    @Option(names = "--max-records", defaultValue = "100") int maxRecords;
    @Option(names = "--max-bytes", defaultValue = "1048576") long maxBytes;
    @Option(names = "--policy", defaultValue = "safe", description = "none | safe | unsafe (default: ${DEFAULT-VALUE}).")
    Policy policy;

    @Override
    public Integer call() {
      FetchRequest req = FetchRequest.newBuilder().setTopic(topic).setPartition(partition).setOffset(offset)
          .setMaxRecords(maxRecords).setMaxBytes(maxBytes).setReadPolicy(policy.proto).build();
      return call(ChronikMethods.FETCH, req, (FetchResponse r) -> {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < r.getRecordsCount(); i++) {
          text.append(r.getFirstOffset() + i).append('\t').append(r.getRecords(i).toStringUtf8()).append('\n');
        }
        return text.append(String.format("(%d record(s), log start offset %d, high watermark %d, served by %s under %s)",
            r.getRecordsCount(), r.getLogStartOffset(), r.getHighWatermark(), r.getServedBy(), policy)).toString();
      });
    }
  }

  @Command(name = "put", mixinStandardHelpOptions = true, description = "Set a key of a key-value partition.")
  public static final class Put extends PartitionBase {
    @Parameters(index = "0") String key;
    @Parameters(index = "1", description = "The value (UTF-8).") String value;

    @Override
    public Integer call() {
      PutRequest req = PutRequest.newBuilder().setTopic(topic).setPartition(partition).setKey(key)
          .setValue(ByteString.copyFromUtf8(value)).build();
      return call(ChronikMethods.PUT, req, (PutResponse r) ->
          String.format("%s=%s (log index %d)", key, value, r.getLogIndex()));
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Read a key of a key-value partition.")
  public static final class Get extends PartitionBase {
    @Parameters(index = "0") String key;
    @Option(names = "--policy", defaultValue = "safe", description = "none | safe | unsafe (default: ${DEFAULT-VALUE}).")
    Policy policy;

    @Override
    public Integer call() {
      GetRequest req = GetRequest.newBuilder().setTopic(topic).setPartition(partition).setKey(key)
          .setReadPolicy(policy.proto).build();
      return call(ChronikMethods.GET, req, (GetResponse r) ->
          String.format("%s=%s (served by %s, applied index %d)", key,
              r.getFound() ? r.getValue().toStringUtf8() : "<absent>", r.getServedBy(), r.getAppliedIndex()));
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a key of a key-value partition.")
  public static final class Delete extends PartitionBase {
    @Parameters(index = "0") String key;

    @Override
    public Integer call() {
      DeleteRequest req = DeleteRequest.newBuilder().setTopic(topic).setPartition(partition).setKey(key).build();
      return call(ChronikMethods.DELETE, req, (DeleteResponse r) -> r.getHadPrevious()
          ? String.format("deleted %s (was %s, log index %d)", key, r.getPrevious().toStringUtf8(), r.getLogIndex())
          : String.format("%s was absent (log index %d)", key, r.getLogIndex()));
    }
  }

  @Command(name = "cas", mixinStandardHelpOptions = true,
      description = "Compare-and-set a key of a key-value partition: write --value only if the key holds --expected "
          + "(or, with --expect-absent, does not exist). Exit status 3 when it did not match (nothing written).")
  public static final class Cas extends PartitionBase {
    @Option(names = "--key", required = true) String key;

    @ArgGroup(exclusive = true, multiplicity = "1") Expectation expectation;

    @Option(names = "--value", required = true, description = "The new value (UTF-8).") String value;

    static final class Expectation {
      @Option(names = "--expected", description = "The value the key must hold (UTF-8).") String expected;
      @Option(names = "--expect-absent", description = "The key must not exist.") boolean absent;
    }

    @Override
    public Integer call() {
      CompareAndSetRequest.Builder req = CompareAndSetRequest.newBuilder().setTopic(topic).setPartition(partition)
          .setKey(key).setNewValue(ByteString.copyFromUtf8(value));
      if (expectation.absent) {
        req.setExpectAbsent(true);
      } else {
        req.setExpectedValue(ByteString.copyFromUtf8(expectation.expected));
      }
      return call(ChronikMethods.COMPARE_AND_SET, req.build(), (CompareAndSetResponse r) -> r.getApplied()
              ? String.format("%s=%s (log index %d)", key, value, r.getLogIndex())
              : String.format("not set: %s is %s (log index %d)", key,
                  r.getFound() ? r.getPrevious().toStringUtf8() : "<absent>", r.getLogIndex()),
          r -> r.getApplied() ? 0 : NOT_APPLIED);
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Members, partitions, leaders, indexes, lag.")
  public static final class Status extends Base {
    @Override
    public Integer call() {
      return call(ChronikMethods.STATUS, StatusRequest.getDefaultInstance(), StatusTable::of);
    }
  }

  // ---------------------------------------------------------------- cluster administration

  /** A command that only groups subcommands: run bare, it is a usage error. */
  abstract static class Group implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a subcommand: "
          + String.join(", ", spec.subcommands().keySet()));
    }
  }

  @Command(name = "node", mixinStandardHelpOptions = true, description = "List, add and remove the cluster's nodes.",
      subcommands = {NodeList.class, NodeAdd.class, NodeRemove.class, NodeCancel.class})
  public static final class Node extends Group {}

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Every node the target node knows: whether it answers, its store, and the replicas it holds.")
  public static final class NodeList extends Base {
    @Override
    public Integer call() {
      return call(ChronikMethods.NODE_LIST, io.chronik.raft.api.grpc.NodeListRequest.getDefaultInstance(),
          ClientCommands::nodeTable);
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Give a node its share of the partitions' replicas (and replace those it lost with its data). "
          + "Start it first with `chronik server` and --seeds; it joins as a spare that holds nothing. Prints each "
          + "step as it happens. Running it again resumes an operation that stopped halfway.")
  public static final class NodeAdd extends Base {
    @Parameters(index = "0", paramLabel = "NODE_ID") String node;

    @Override
    public Integer call() {
      return stream(ChronikMethods.NODE_ADD, io.chronik.raft.api.grpc.NodeAddRequest.newBuilder().setNode(node).build(),
          ClientCommands::progressLine);
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Move every replica off a node, to the nodes that hold the fewest. Refused while the node is not "
          + "answering, unless --force. Prints each step as it happens. The removed replicas' files are deleted after "
          + "chronik.membership.removed-data-grace.")
  public static final class NodeRemove extends Base {
    @Parameters(index = "0", paramLabel = "NODE_ID") String node;

    @Option(names = "--force", description = "The node is gone for good: replace its replicas with new ones on "
        + "other nodes although it does not answer.")
    boolean force;

    @Override
    public Integer call() {
      return stream(ChronikMethods.NODE_REMOVE, io.chronik.raft.api.grpc.NodeRemoveRequest.newBuilder().setNode(node)
          .setForce(force).build(), ClientCommands::progressLine);
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Stop the node add or remove running on the target node at its next safe point: between moves, or "
          + "while a move's learner catches up (the learner is removed again). A move whose learner is being promoted "
          + "completes. Running the add or remove again carries out the rest.")
  public static final class NodeCancel extends Base {
    @Override
    public Integer call() {
      return call(ChronikMethods.NODE_CANCEL, io.chronik.raft.api.grpc.NodeCancelRequest.getDefaultInstance(),
          r -> String.format("cancelling %s (running for %.0f s); it stops at its next safe point", r.getOperation(),
              r.getRunningSeconds()));
    }
  }

  @Command(name = "leader", mixinStandardHelpOptions = true, description = "Move partitions' leadership.",
      subcommands = {LeaderTransfer.class})
  public static final class Leader extends Group {}

  @Command(name = "transfer", mixinStandardHelpOptions = true,
      description = "Hand a partition's leadership to its voter on a node; returns once that voter leads.")
  public static final class LeaderTransfer extends Base {
    @Parameters(index = "0", paramLabel = "TOPIC") String topic;
    @Parameters(index = "1", paramLabel = "PARTITION") int partition;
    @Parameters(index = "2", paramLabel = "NODE_ID") String node;

    @Override
    Duration callTimeout() {
      return Duration.ofMinutes(2); // the node waits up to chronik.membership.step-timeout for the new leader
    }

    @Override
    public Integer call() {
      return call(ChronikMethods.LEADER_TRANSFER, io.chronik.raft.api.grpc.LeaderTransferRequest.newBuilder()
              .setTopic(topic).setPartition(partition).setNode(node).build(),
          (io.chronik.raft.api.grpc.LeaderTransferResponse r) -> {
            StringBuilder text = new StringBuilder();
            r.getStepsList().forEach(step -> text.append(step).append('\n'));
            return text.append(r.getPartition()).append(" is led by ").append(r.getLeader()).toString();
          });
    }
  }

  @Command(name = "topic", mixinStandardHelpOptions = true,
      description = "Create, list and delete topics while the cluster runs.",
      subcommands = {TopicCreate.class, TopicList.class, TopicDelete.class})
  public static final class Topic extends Group {}

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a topic: its partitions' replicas placed over the nodes that hold replicas. Its partitions "
          + "take writes within about an election timeout.")
  public static final class TopicCreate extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Option(names = "--partitions", required = true, description = "Number of partitions (1 to 1024).")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "0",
        description = "Replicas per partition (default: 3, or every node holding replicas when fewer).")
    int replicationFactor;

    @Option(names = "--kind", defaultValue = "record-log",
        description = "record-log (produce/fetch), key-value (put/get/delete/cas) or journal (Akka Persistence events and "
            + "snapshots, written by chronik's persistence plugins) (default: ${DEFAULT-VALUE}).")
    String kind;

    @Option(names = "--retention-bytes", defaultValue = "0",
        description = "record-log: bytes kept per partition (default 0: the nodes' chronik.record-log.retention-bytes; "
            + "-1: unlimited).")
    long retentionBytes;

    @Option(names = "--retention-ms", defaultValue = "0",
        description = "record-log: milliseconds records are kept (default 0: chronik.record-log.retention; -1: unlimited).")
    long retentionMs;

    @Override
    public Integer call() {
      return call(ChronikMethods.TOPIC_CREATE, io.chronik.raft.api.grpc.TopicCreateRequest.newBuilder().setName(name)
              .setPartitions(partitions).setReplicationFactor(replicationFactor).setKind(kind)
              .setRetentionBytes(retentionBytes).setRetentionMs(retentionMs).build(),
          r -> "created " + topicLine(r.getTopic()));
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Every topic: those of the configuration files, the metadata group's, and those created at runtime.")
  public static final class TopicList extends Base {
    @Override
    public Integer call() {
      return call(ChronikMethods.TOPIC_LIST, io.chronik.raft.api.grpc.TopicListRequest.getDefaultInstance(), r -> {
        StringBuilder out = new StringBuilder(String.format("%-24s %10s %8s %-10s %s", "topic", "partitions", "replicas",
            "kind", "source"));
        for (io.chronik.raft.api.grpc.TopicInfo t : r.getTopicsList()) {
          out.append(String.format("%n%-24s %10d %8d %-10s %s", t.getName(), t.getPartitions(),
              t.getReplicationFactor(), t.getKind(), t.getSource()));
        }
        return out.toString();
      });
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a topic created at runtime: every node stops its replicas and deletes their files. Its name "
          + "is not used again.")
  public static final class TopicDelete extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Override
    public Integer call() {
      return call(ChronikMethods.TOPIC_DELETE, io.chronik.raft.api.grpc.TopicDeleteRequest.newBuilder().setName(name)
          .build(), r -> "deleted " + r.getTopic().getName());
    }
  }

  static String topicLine(io.chronik.raft.api.grpc.TopicInfo t) {
    StringBuilder out = new StringBuilder(String.format("%s: %d partition(s), replication factor %d, %s", t.getName(),
        t.getPartitions(), t.getReplicationFactor(), t.getKind()));
    t.getPlacementList().forEach(p -> out.append(String.format("%n  %s on %s", p.getPartition(),
        String.join(", ", p.getNodesList()))));
    return out.toString();
  }

  static String nodeTable(io.chronik.raft.api.grpc.NodeListResponse r) {
    StringBuilder out = new StringBuilder(String.format("%-10s %-9s %-15s %6s %8s %7s %4s  %s", "node", "answering",
        "store", "voters", "learners", "leaders", "lost", "grpc"));
    for (io.chronik.raft.api.grpc.NodeInfo n : r.getNodesList()) {
      out.append(String.format("%n%-10s %-9s %-15s %6d %8d %7d %4d  %s", n.getNode(), n.getAnswering() ? "yes" : "no",
          n.getStore().isEmpty() ? "-" : n.getStore(), n.getVoters(), n.getLearners(), n.getLeaders(), n.getLost(),
          n.getGrpcAddress().isEmpty() ? "-" : n.getGrpcAddress()));
    }
    return out.toString();
  }

  static String progressLine(io.chronik.raft.api.grpc.NodeChangeProgress p) {
    if (p.hasDone()) {
      io.chronik.raft.api.grpc.NodeChangeDone d = p.getDone();
      io.chronik.raft.api.grpc.NodeInfo n = d.getAfter();
      return String.format("done: %d move(s); %s now holds %d voter(s), %d learner(s), %d leader(s)",
          d.getMovesCount(), d.getNode(), n.getVoters(), n.getLearners(), n.getLeaders());
    }
    return p.getStep();
  }
}
