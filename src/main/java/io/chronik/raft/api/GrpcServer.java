package io.chronik.raft.api;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import io.chronik.raft.api.grpc.ChronikApiProto;
import io.chronik.raft.api.grpc.ChronikPowerApi;
import io.chronik.raft.api.grpc.health.Health;
import io.chronik.raft.api.grpc.health.HealthCheckRequest;
import io.chronik.raft.api.grpc.health.HealthCheckResponse;
import io.chronik.raft.api.grpc.health.HealthProto;
import io.chronik.raft.api.grpc.reflection.ServerReflection;
import io.chronik.raft.api.grpc.reflection.ServerReflectionProto;
import io.chronik.raft.api.grpc.reflection.ServerReflectionRequest;
import io.chronik.raft.api.grpc.reflection.ServerReflectionResponse;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Serves this node's gRPC endpoint ({@code chronik server} binds it on
 * {@code chronik.host:chronik.grpc.port}): the chronik API ({@code proto/chronik.proto}), the
 * standard health service ({@code grpc.health.v1.Health}) and server reflection, so that generic
 * tools ({@code grpcurl}, {@code grpc_health_probe}, Kubernetes gRPC probes) work without the
 * proto files. TLS as {@code chronik.tls} says.
 *
 * <p>The server is grpc-java's on Netty; the service methods implement akka-grpc's generated
 * interfaces ({@link GrpcMethods}). Akka HTTP's HTTP/2 server, which served them before, cost a
 * write at one producer about 1 ms more of the leader's CPU and twice the time outside the
 * handler (docs/benchmark.md). Calls run on the transport's threads up to the service method,
 * which hands them to actors and never blocks.
 */
public final class GrpcServer {
  private GrpcServer() {}

  /**
   * Binds the endpoint and advertises it to the other nodes (they name it in leader hints and
   * status); a wildcard {@code host} is advertised as {@code chronik.host}. The endpoint stops
   * with the actor system ({@link GrpcBinding#stopWith}).
   */
  public static CompletionStage<GrpcBinding> bind(ActorSystem<?> system, String host, int port) {
    com.typesafe.config.Config config = system.settings().config();
    TlsSettings tls = TlsSettings.fromConfig(config);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        // The service methods only hand calls to actors: running them on the transport's thread
        // measured faster than a hop to Akka's dispatcher first (docs/benchmark.md).
        .directExecutor()
        // Refused as it arrives with RESOURCE_EXHAUSTED, before a byte of the body is buffered.
        .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, maxRequestBytes(config)));
    for (ServerServiceDefinition service : services(system)) builder.addService(service);
    if (tls.enabled()) builder.sslContext(tls.grpcServerContext());
    Server server;
    try {
      server = builder.build().start();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new IOException("cannot serve gRPC on " + host + ":" + port + ": "
          + e.getMessage() + "; is another process using the port (chronik.grpc.port)?", e));
    }
    GrpcBinding binding = new GrpcBinding(server);
    int bound = binding.localAddress().getPort();
    binding.stopWith(CoordinatedShutdown.get(system));
    boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.isEmpty();
    String advertised = wildcard ? config.getString("chronik.host") : host;
    ChronikRaft.get(system).node().advertiseGrpcAddress(advertised + ":" + bound);
    return CompletableFuture.completedFuture(binding);
  }

  static List<ServerServiceDefinition> services(ActorSystem<?> system) {
    ChronikRaft chronik = ChronikRaft.get(system);
    com.typesafe.config.Config config = system.settings().config();
    GrpcErrors errors = new GrpcErrors();
    TransportLog.install(errors);
    akka.stream.Materializer materializer = akka.stream.Materializer.matFromSystem(system);
    ChronikGrpcService api = new ChronikGrpcService(chronik, GrpcMetrics.get(system),
        config.getInt("chronik.grpc.max-in-flight"), materializer);
    HealthService health = new HealthService(chronik.node());
    ReflectionService reflection = new ReflectionService(List.of(ChronikApiProto.getDescriptor().getServices().get(0),
        HealthProto.getDescriptor().getServices().get(0), ServerReflectionProto.getDescriptor().getServices().get(0)));
    return List.of(ChronikMethods.of(api, errors, materializer),
        new GrpcMethods(Health.name, errors, materializer)
            .unary("Check", HealthCheckRequest.parser(), HealthCheckResponse.getDefaultInstance(),
                (in, metadata) -> health.check(in))
            .serverStreaming("Watch", HealthCheckRequest.parser(), HealthCheckResponse.getDefaultInstance(),
                (in, metadata) -> health.watch(in))
            .build(),
        new GrpcMethods(ServerReflection.name, errors, materializer)
            .answerEach("ServerReflectionInfo", ServerReflectionRequest.parser(),
                ServerReflectionResponse.getDefaultInstance(), reflection::answer)
            .build());
  }

  /** The largest request any method needs: a write of chronik.raft.max-entry-bytes, with 64 KiB for the rest. */
  static long maxRequestBytes(com.typesafe.config.Config config) {
    return config.getBytes("chronik.raft.max-entry-bytes") + 64 * 1024;
  }
}
