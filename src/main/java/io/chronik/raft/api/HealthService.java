package io.chronik.raft.api;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import io.chronik.raft.api.grpc.ChronikPowerApi;
import io.chronik.raft.api.grpc.health.Health;
import io.chronik.raft.api.grpc.health.HealthCheckRequest;
import io.chronik.raft.api.grpc.health.HealthCheckResponse;
import io.chronik.raft.api.grpc.health.HealthCheckResponse.ServingStatus;
import io.chronik.raft.cluster.ClusterNode;
import io.chronik.raft.replica.ClientProtocol;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The standard gRPC health service ({@code grpc.health.v1.Health}) for this node, as Kubernetes
 * gRPC probes, load balancers and {@code grpc_health_probe} ask it: {@code SERVING} while
 * {@link ClusterNode#health()} says so, else {@code NOT_SERVING}. It answers for the whole server
 * (service {@code ""}), for {@code chronik.api.Chronik}, and for each partition this node holds a
 * replica of ({@code partition/<name>}, e.g. {@code partition/orders-0}): {@code SERVING} while the
 * node serves and that replica runs with no disk fault (see {@code chronik.raft.storage-restart-backoff});
 * any other name is {@code NOT_FOUND}.
 */
final class HealthService implements Health {
  /** How often {@code Watch} looks at the node's state; it sends a response only when the status changes. */
  private static final Duration WATCH_INTERVAL = Duration.ofMillis(500);

  /** The service name of a partition's replica on this node: {@code partition/<name>}. */
  static final String PARTITION = "partition/";
  private static final Duration REPLICA_TIMEOUT = Duration.ofSeconds(1);
  private final ClusterNode node;

  HealthService(ClusterNode node) {
    this.node = node;
  }

  @Override
  public CompletionStage<HealthCheckResponse> check(HealthCheckRequest in) {
    if (!known(in.getService())) {
      return CompletableFuture.failedFuture(new akka.grpc.GrpcServiceException(Status.NOT_FOUND.withDescription(
          "no service '" + in.getService() + "' here; ask for \"\" (the node), \"" + ChronikPowerApi.name
              + "\" or \"" + PARTITION + "<partition>\" for one of this node's replicas: "
              + node.partitions().keySet().stream().filter(node::hostsReplicaOf).sorted().toList())));
    }
    return status(in.getService()).thenApply(HealthService::response);
  }

  @Override
  public Source<HealthCheckResponse, NotUsed> watch(HealthCheckRequest in) {
    if (!known(in.getService())) return Source.single(response(ServingStatus.SERVICE_UNKNOWN));
    return Source.tick(Duration.ZERO, WATCH_INTERVAL, NotUsed.notUsed())
        .mapAsync(1, tick -> status(in.getService()))
        .statefulMapConcat(() -> {
          ServingStatus[] last = {null};
          return s -> {
            if (s == last[0]) return List.of();
            last[0] = s;
            return List.of(response(s));
          };
        })
        .mapMaterializedValue(c -> NotUsed.notUsed());
  }

  private boolean known(String service) {
    if (service.startsWith(PARTITION)) return node.hostsReplicaOf(service.substring(PARTITION.length()));
    return service.isEmpty() || service.equals(ChronikPowerApi.name);
  }

  private CompletionStage<ServingStatus> status(String service) {
    ServingStatus nodeStatus = node.health().serving() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    if (!service.startsWith(PARTITION) || nodeStatus != ServingStatus.SERVING) {
      return CompletableFuture.completedFuture(nodeStatus);
    }
    String group = service.substring(PARTITION.length());
    return node.<ClientProtocol.StatusReply>ask(group, node.nodeId(), ClientProtocol.GetStatus::new, REPLICA_TIMEOUT)
        .handle((reply, failure) -> reply instanceof ClientProtocol.Status s && s.fault().isEmpty()
            ? ServingStatus.SERVING
            : ServingStatus.NOT_SERVING); // faulted, or recovering (no answer yet)
  }

  private static HealthCheckResponse response(ServingStatus s) {
    return HealthCheckResponse.newBuilder().setStatus(s).build();
  }
}
