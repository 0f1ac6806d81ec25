package io.chronik.raft.api;

import akka.actor.typed.ActorSystem;
import akka.grpc.javadsl.ServiceHandler;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;
import io.chronik.raft.api.grpc.ChronikApiProto;
import io.chronik.raft.api.grpc.ChronikPowerApiHandlerFactory;
import io.chronik.raft.api.grpc.health.HealthHandlerFactory;
import io.chronik.raft.api.grpc.health.HealthProto;
import io.chronik.raft.api.grpc.reflection.ServerReflectionHandlerFactory;
import io.chronik.raft.api.grpc.reflection.ServerReflectionProto;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Serves this node's gRPC endpoint (HTTP/2 without TLS; {@code chronik server} binds it on
 * {@code chronik.host:chronik.grpc.port}): the
 * chronik API ({@code proto/chronik.proto}), the standard health service
 * ({@code grpc.health.v1.Health}) and server reflection, so that generic tools ({@code grpcurl},
 * {@code grpc_health_probe}, Kubernetes gRPC probes) work without the proto files.
 */
public final class GrpcServer {
  private GrpcServer() {}

  /**
   * Binds the endpoint and advertises it to the other nodes (they name it in leader hints and
   * status); a wildcard {@code host} is advertised as {@code chronik.host}.
   */
  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port) {
    return Http.get(system).newServerAt(host, port).bind(handler(system)).thenApply(binding -> {
      boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.isEmpty();
      String advertised = wildcard ? system.settings().config().getString("chronik.host") : host;
      ChronikRaft.get(system).node().advertiseGrpcAddress(advertised + ":" + binding.localAddress().getPort());
      return binding;
    });
  }

  static Function<HttpRequest, CompletionStage<HttpResponse>> handler(ActorSystem<?> system) {
    ChronikRaft chronik = ChronikRaft.get(system);
    Function<HttpRequest, CompletionStage<HttpResponse>> api =
        ChronikPowerApiHandlerFactory.create(new ChronikGrpcService(chronik, GrpcMetrics.get(system)), system)::apply;
    Function<HttpRequest, CompletionStage<HttpResponse>> health =
        HealthHandlerFactory.create(new HealthService(chronik.node()), system)::apply;
    Function<HttpRequest, CompletionStage<HttpResponse>> reflection = ServerReflectionHandlerFactory.create(
        new ReflectionService(List.of(ChronikApiProto.getDescriptor().getServices().get(0),
            HealthProto.getDescriptor().getServices().get(0), ServerReflectionProto.getDescriptor().getServices().get(0))),
        system)::apply;
    return ServiceHandler.concatOrNotFound(api, health, reflection);
  }
}
