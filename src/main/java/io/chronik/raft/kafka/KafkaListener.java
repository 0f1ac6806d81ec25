package io.chronik.raft.kafka;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Framing;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import com.typesafe.config.Config;
import io.chronik.raft.api.ChronikRaft;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka protocol listener of one node ({@code chronik.kafka.port}; TLS with {@code chronik.tls}
 * when it is enabled, as the gRPC API): each connection reads
 * size-prefixed request frames and answers them in order, working on up to
 * {@code chronik.kafka.pipelining} at once. A request that cannot be served as Kafka defines it
 * (malformed, too large, an API or version not advertised) closes its connection, as a Kafka
 * broker does; the node goes on.
 */
public final class KafkaListener {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaListener.class);

  private KafkaListener() {}

  /**
   * Binds {@code host:port} (0: any free port) and advertises the bound port with
   * {@code chronik.kafka.advertised-host} (else {@code host}) and {@code chronik.rack} to the
   * cluster, so every node's Metadata answers name this one.
   */
  public static CompletionStage<Tcp.ServerBinding> bind(ActorSystem<?> system, String host, int port) {
    Config config = system.settings().config();
    int maxFrame = (int) Math.min(Integer.MAX_VALUE, config.getBytes("chronik.kafka.max-request-bytes"));
    int pipelining = Math.max(1, config.getInt("chronik.kafka.pipelining"));
    KafkaApis apis = new KafkaApis(system);
    String advertised = config.getString("chronik.kafka.advertised-host").isEmpty() ? host
        : config.getString("chronik.kafka.advertised-host");
    io.chronik.raft.api.TlsSettings tls = io.chronik.raft.api.TlsSettings.fromConfig(config);
    akka.stream.javadsl.Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> connections;
    if (tls.enabled()) {
      // The same key, trust store and client authentication as the gRPC API (chronik.tls).
      javax.net.ssl.SSLContext context = tls.sslContext();
      connections = Tcp.get(system).bindWithTls(host, port, () -> tls.serverEngine(context));
    } else {
      connections = Tcp.get(system).bind(host, port);
    }
    return connections
        .to(Sink.foreach(connection -> connection.handleWith(
            connectionFlow(apis, maxFrame, pipelining, connection.remoteAddress()), system)))
        .run(system)
        .thenApply(binding -> {
          ChronikRaft.get(system).node().advertiseKafka(advertised + ":" + binding.localAddress().getPort(),
              config.getString("chronik.rack"));
          return binding;
        });
  }

  private static Flow<ByteString, ByteString, NotUsed> connectionFlow(KafkaApis apis, int maxFrame, int pipelining,
      InetSocketAddress client) {
    return Flow.of(ByteString.class)
        .via(Framing.lengthField(4, 0, maxFrame + 4, java.nio.ByteOrder.BIG_ENDIAN))
        .map(frame -> frame.drop(4))
        .mapAsync(pipelining, frame -> apis.handle(frame.toByteBuffer()))
        .mapConcat(response -> response.map(List::of).orElse(List.of()))
        .map(KafkaListener::sized)
        .mapError(new scala.PartialFunction<Throwable, Throwable>() {
          @Override
          public boolean isDefinedAt(Throwable e) {
            LOG.warn("Kafka client {}: closing its connection: {}", client, e.getMessage());
            return false;
          }

          @Override
          public Throwable apply(Throwable e) {
            return e;
          }
        });
  }

  private static ByteString sized(ByteBuffer body) {
    ByteBuffer size = ByteBuffer.allocate(4).putInt(0, body.remaining());
    return ByteString.fromByteBuffer(size).concat(ByteString.fromByteBuffer(body));
  }
}
