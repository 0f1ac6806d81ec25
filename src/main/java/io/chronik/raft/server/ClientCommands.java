package io.chronik.raft.server;

import akka.actor.typed.ActorSystem;
import com.google.protobuf.ByteString;
import io.chronik.raft.api.grpc.ChronikClient;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
import io.chronik.raft.api.grpc.GetRequest;
import io.chronik.raft.api.grpc.GetResponse;
import io.chronik.raft.api.grpc.PartitionStatus;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.ProduceResponse;
import io.chronik.raft.api.grpc.PutRequest;
import io.chronik.raft.api.grpc.PutResponse;
import io.chronik.raft.api.grpc.ReadPolicy;
import io.chronik.raft.api.grpc.ReplicaStatus;
import io.chronik.raft.api.grpc.StatusRequest;
import io.chronik.raft.api.grpc.StatusResponse;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** gRPC client commands against a running node. */
final class ClientCommands {
  private ClientCommands() {}

  /** Connects to {@code target} (host:port) and runs {@code call}; errors print their gRPC status. */
  static <T> int withClient(String target, Function<ChronikClient, CompletionStage<T>> call,
      java.util.function.Consumer<T> print) {
    ActorSystem<Void> system = GrpcClients.system("chronik-client");
    String[] hostPort = target.split(":");
    ChronikClient client = GrpcClients.connect(system, hostPort[0], Integer.parseInt(hostPort[1]));
    try {
      print.accept(call.apply(client).toCompletableFuture().get(30, TimeUnit.SECONDS));
      return 0;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        System.err.println(s.getStatus().getCode() + ": " + s.getStatus().getDescription());
        return 2;
      }
      System.err.println("call failed: " + e.getCause());
      return 1;
    } catch (Exception e) {
      System.err.println("call failed: " + e);
      return 1;
    } finally {
      client.close();
      system.terminate();
    }
  }

  abstract static class Base implements Callable<Integer> {
    @Option(names = "--target", defaultValue = "${env:CHRONIK_TARGET:-127.0.0.1:9091}",
        description = "A node's gRPC address (default: ${DEFAULT-VALUE}).")
    String target;
  }

  abstract static class PartitionBase extends Base {
    @Option(names = {"-t", "--topic"}, required = true) String topic;
    @Option(names = {"-p", "--partition"}, defaultValue = "0") int partition;
  }

  static ReadPolicy policy(String p) {
    return ReadPolicy.valueOf("READ_POLICY_" + p.toUpperCase(Locale.ROOT));
  }

  @Command(name = "produce", mixinStandardHelpOptions = true, description = "Append records to a record-log partition.")
  static final class Produce extends PartitionBase {
    @Parameters(arity = "1..*", description = "Records (UTF-8).") List<String> records;

    @Override
    public Integer call() {
      ProduceRequest.Builder req = ProduceRequest.newBuilder().setTopic(topic).setPartition(partition);
      records.forEach(r -> req.addRecords(ByteString.copyFromUtf8(r)));
      return withClient(target, c -> c.produce(req.build()), (ProduceResponse r) ->
          System.out.printf("appended %d record(s) at offset %d (log index %d, leader %s)%n", r.getCount(),
              r.getBaseOffset(), r.getLogIndex(), r.getLeader()));
    }
  }

  @Command(name = "fetch", mixinStandardHelpOptions = true, description = "Read records from an offset.")
  static final class Fetch extends PartitionBase {
    @Option(names = "--offset", defaultValue = "0") long offset;
    @Option(names = "--max-records", defaultValue = "100") int maxRecords;
    @Option(names = "--max-bytes", defaultValue = "1048576") long maxBytes;
    @Option(names = "--policy", defaultValue = "safe", description = "none | safe | unsafe (default: ${DEFAULT-VALUE}).")
    String policy;

    @Override
    public Integer call() {
      FetchRequest req = FetchRequest.newBuilder().setTopic(topic).setPartition(partition).setOffset(offset)
          .setMaxRecords(maxRecords).setMaxBytes(maxBytes).setReadPolicy(policy(policy)).build();
      return withClient(target, c -> c.fetch(req), (FetchResponse r) -> {
        for (int i = 0; i < r.getRecordsCount(); i++) {
          System.out.printf("%d\t%s%n", r.getFirstOffset() + i, r.getRecords(i).toStringUtf8());
        }
        System.out.printf("(%d record(s), log start offset %d, high watermark %d, served by %s under %s)%n",
            r.getRecordsCount(), r.getLogStartOffset(), r.getHighWatermark(), r.getServedBy(), policy);
      });
    }
  }

  @Command(name = "put", mixinStandardHelpOptions = true, description = "Set a key of a key-value partition.")
  static final class Put extends PartitionBase {
    @Parameters(index = "0") String key;
    @Parameters(index = "1") String value;

    @Override
    public Integer call() {
      PutRequest req = PutRequest.newBuilder().setTopic(topic).setPartition(partition).setKey(key)
          .setValue(ByteString.copyFromUtf8(value)).build();
      return withClient(target, c -> c.put(req), (PutResponse r) ->
          System.out.printf("%s=%s (log index %d)%n", key, value, r.getLogIndex()));
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Read a key of a key-value partition.")
  static final class Get extends PartitionBase {
    @Parameters(index = "0") String key;
    @Option(names = "--policy", defaultValue = "safe", description = "none | safe | unsafe (default: ${DEFAULT-VALUE}).")
    String policy;

    @Override
    public Integer call() {
      GetRequest req = GetRequest.newBuilder().setTopic(topic).setPartition(partition).setKey(key)
          .setReadPolicy(policy(policy)).build();
      return withClient(target, c -> c.get(req), (GetResponse r) ->
          System.out.printf("%s=%s (served by %s, applied index %d)%n", key,
              r.getFound() ? r.getValue().toStringUtf8() : "<absent>", r.getServedBy(), r.getAppliedIndex()));
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Members, partitions, leaders, indexes, lag.")
  static final class Status extends Base {
    @Override
    public Integer call() {
      return withClient(target, c -> c.status(StatusRequest.getDefaultInstance()), ClientCommands::printStatus);
    }
  }

  static void printStatus(StatusResponse s) {
    System.out.printf("node %s of %s%n", s.getNodeId(), s.getNodesList());
    for (io.chronik.raft.api.grpc.NodeStatus n : s.getNodeStatesList()) {
      System.out.printf("  %-8s %-13s %s%s%n", n.getNode(), n.getState(), n.getAddress(),
          n.getOldestMember() ? "  (oldest member)" : "");
    }
    System.out.printf("%-12s %-8s %-8s %-9s %-13s %5s %7s %8s %5s %8s  %s%n", "partition", "replica", "leader",
        "preferred", "role", "term", "commit", "applied", "lag", "snapshot", "state");
    for (PartitionStatus p : s.getPartitionsList()) {
      for (ReplicaStatus r : p.getReplicasList()) {
        System.out.printf("%-12s %-8s %-8s %-9s %-13s %5d %7d %8d %5d %8d  %s%n", p.getPartition(), r.getNode(),
            p.getLeader().isEmpty() ? "-" : p.getLeader(), p.getPreferredLeader(), r.getRole(), r.getTerm(),
            r.getCommitIndex(), r.getAppliedIndex(), r.getLag(), r.getSnapshotIndex(),
            new java.util.TreeMap<>(r.getStateMachineMap()).toString().replaceAll("[{}]", ""));
      }
    }
  }
}
