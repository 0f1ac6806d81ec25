package io.chronik.raft.api;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import io.chronik.raft.api.grpc.ChronikHandlerFactory;
import java.util.concurrent.CompletionStage;

/** Serves the gRPC API of this node (HTTP/2 without TLS, for {@code chronik server} on {@code chronik.host:chronik.grpc.port}). */
public final class GrpcServer {
  private GrpcServer() {}

  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port) {
    ChronikRaft chronik = ChronikRaft.get(system);
    return Http.get(system).newServerAt(host, port)
        .bind(ChronikHandlerFactory.create(new ChronikGrpcService(chronik), system));
  }
}
