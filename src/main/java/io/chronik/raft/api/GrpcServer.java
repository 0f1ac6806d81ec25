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
    TlsSettings tls = TlsSettings.fromConfig(system.settings().config());
    akka.http.javadsl.ServerBuilder server = Http.get(system).newServerAt(host, port);
    if (tls.enabled()) {
      javax.net.ssl.SSLContext context = tls.sslContext();
      server = server.enableHttps(akka.http.javadsl.ConnectionContext.httpsServer(() -> tls.serverEngine(context)));
    }
    return server.bind(handler(system)).thenApply(binding -> {
      boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.isEmpty();
      String advertised = wildcard ? system.settings().config().getString("chronik.host") : host;
      ChronikRaft.get(system).node().advertiseGrpcAddress(advertised + ":" + binding.localAddress().getPort());
      return binding;
    });
  }

  static Function<HttpRequest, CompletionStage<HttpResponse>> handler(ActorSystem<?> system) {
    ChronikRaft chronik = ChronikRaft.get(system);
    com.typesafe.config.Config config = system.settings().config();
    long maxRequestBytes = maxRequestBytes(config);
    GrpcErrors errors = new GrpcErrors(maxRequestBytes);
    ChronikGrpcService service = new ChronikGrpcService(chronik, GrpcMetrics.get(system),
        config.getInt("chronik.grpc.max-in-flight"), akka.stream.Materializer.matFromSystem(system));
    Function<HttpRequest, CompletionStage<HttpResponse>> api =
        ChronikPowerApiHandlerFactory.create(service, errors.handler(), system)::apply;
    Function<HttpRequest, CompletionStage<HttpResponse>> health =
        HealthHandlerFactory.create(new HealthService(chronik.node()), errors.handler(), system)::apply;
    Function<HttpRequest, CompletionStage<HttpResponse>> reflection = ServerReflectionHandlerFactory.create(
        new ReflectionService(List.of(ChronikApiProto.getDescriptor().getServices().get(0),
            HealthProto.getDescriptor().getServices().get(0), ServerReflectionProto.getDescriptor().getServices().get(0))),
        system)::apply;
    Function<HttpRequest, CompletionStage<HttpResponse>> all = ServiceHandler.concatOrNotFound(api, health, reflection);
    // The limit travels with the body: the decoder gets at most the limit, so a huge body costs
    // about the limit (plus HTTP/2's per-stream buffer), never its own size.
    return request -> all.apply(RequestSizeLimit.apply(ClientIdentity.attach(request), maxRequestBytes));
  }

  /** The largest request any method needs: a write of chronik.raft.max-entry-bytes, with 64 KiB for the rest. */
  static long maxRequestBytes(com.typesafe.config.Config config) {
    return config.getBytes("chronik.raft.max-entry-bytes") + 64 * 1024;
  }
}
