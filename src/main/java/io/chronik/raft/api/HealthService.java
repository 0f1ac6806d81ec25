package io.chronik.raft.api;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import io.chronik.raft.api.grpc.ChronikPowerApi;
import io.chronik.raft.api.grpc.health.Health;
import io.chronik.raft.api.grpc.health.HealthCheckRequest;
import io.chronik.raft.api.grpc.health.HealthCheckResponse;
import io.chronik.raft.api.grpc.health.HealthCheckResponse.ServingStatus;
import io.chronik.raft.cluster.ClusterNode;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The standard gRPC health service ({@code grpc.health.v1.Health}) for this node, as Kubernetes
 * gRPC probes, load balancers and {@code grpc_health_probe} ask it: {@code SERVING} while
 * {@link ClusterNode#health()} says so, else {@code NOT_SERVING}. It answers for the whole server
 * (service {@code ""}) and for {@code chronik.api.Chronik}; any other name is {@code NOT_FOUND}.
 */
final class HealthService implements Health {
  /** How often {@code Watch} looks at the node's state; it sends a response only when the status changes. */
  private static final Duration WATCH_INTERVAL = Duration.ofMillis(500);

  private final ClusterNode node;

  HealthService(ClusterNode node) {
    this.node = node;
  }

  @Override
  public CompletionStage<HealthCheckResponse> check(HealthCheckRequest in) {
    if (!known(in.getService())) {
      return CompletableFuture.failedFuture(new akka.grpc.GrpcServiceException(Status.NOT_FOUND.withDescription(
          "no service '" + in.getService() + "' here; ask for \"\" (the node) or \"" + ChronikPowerApi.name + "\"")));
    }
    return CompletableFuture.completedFuture(response(status()));
  }

  @Override
  public Source<HealthCheckResponse, NotUsed> watch(HealthCheckRequest in) {
    if (!known(in.getService())) return Source.single(response(ServingStatus.SERVICE_UNKNOWN));
    return Source.tick(Duration.ZERO, WATCH_INTERVAL, NotUsed.notUsed())
        .map(tick -> status())
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

  private static boolean known(String service) {
    return service.isEmpty() || service.equals(ChronikPowerApi.name);
  }

  private ServingStatus status() {
    return node.health().serving() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  }

  private static HealthCheckResponse response(ServingStatus s) {
    return HealthCheckResponse.newBuilder().setStatus(s).build();
  }
}
