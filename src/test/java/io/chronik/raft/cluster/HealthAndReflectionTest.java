package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.grpc.GrpcClientSettings;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import io.chronik.raft.api.GrpcServer;
import io.chronik.raft.api.grpc.health.HealthCheckRequest;
import io.chronik.raft.api.grpc.health.HealthCheckResponse.ServingStatus;
import io.chronik.raft.api.grpc.health.HealthClient;
import io.chronik.raft.api.grpc.reflection.ServerReflectionClient;
import io.chronik.raft.api.grpc.reflection.ServerReflectionRequest;
import io.chronik.raft.api.grpc.reflection.ServerReflectionResponse;
import io.chronik.raft.testing.FreePorts;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What generic gRPC tooling sees of a node: the standard health service (SERVING while the node is
 * an Up member reaching a majority; NOT_SERVING once it is alone) and server reflection.
 */
@Tag("cluster")
class HealthAndReflectionTest {
  private static TestCluster cluster;
  private static HealthClient health;
  private static ServerReflectionClient reflection;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(List.of("n1", "n2", "n3"),
        "[{name = orders, partitions = 1, replication-factor = 3, state-machine = record-log}]");
    int port = FreePorts.one();
    GrpcServer.bind(cluster.kit(0).system(), "127.0.0.1", port).toCompletableFuture().get(10, TimeUnit.SECONDS);
    GrpcClientSettings settings = io.chronik.raft.client.GrpcClients.settings("127.0.0.1", port, cluster.kit(0).system())
        .withTls(false);
    health = HealthClient.create(settings, cluster.kit(0).system());
    reflection = ServerReflectionClient.create(settings, cluster.kit(0).system());
  }

  @AfterAll
  static void stop() throws Exception {
    health.close();
    reflection.close();
    cluster.close();
  }

  private static ServingStatus check(String service) throws Exception {
    return health.check(HealthCheckRequest.newBuilder().setService(service).build()).toCompletableFuture()
        .get(15, TimeUnit.SECONDS).getStatus();
  }

  private static ServerReflectionResponse reflect(ServerReflectionRequest request) throws Exception {
    return reflection.serverReflectionInfo(Source.single(request)).runWith(Sink.head(), cluster.kit(0).system())
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  @Test
  void reflectionListsTheServicesAndDescribesTheirMessages() throws Exception {
    List<String> services = reflect(ServerReflectionRequest.newBuilder().setListServices("*").build())
        .getListServicesResponse().getServiceList().stream().map(s -> s.getName()).toList();
    assertTrue(services.containsAll(List.of("chronik.api.Chronik", "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection")), services.toString());
    ServerReflectionResponse file = reflect(ServerReflectionRequest.newBuilder()
        .setFileContainingSymbol("chronik.api.Chronik.Produce").build());
    FileDescriptorProto proto = FileDescriptorProto.parseFrom(file.getFileDescriptorResponse().getFileDescriptorProto(0));
    assertEquals("chronik.api", proto.getPackage());
    assertTrue(proto.getMessageTypeList().stream().anyMatch(m -> m.getName().equals("ProduceRequest")), proto.getName());
    ServerReflectionResponse missing = reflect(ServerReflectionRequest.newBuilder()
        .setFileContainingSymbol("chronik.api.Nope").build());
    assertEquals(io.grpc.Status.Code.NOT_FOUND.value(), missing.getErrorResponse().getErrorCode());
  }

  @Test
  void healthIsServingWithAMajorityAndNotServingOnceTheNodeIsAlone() throws Exception {
    cluster.kit(0).createTestProbe().awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      try {
        assertEquals(ServingStatus.SERVING, check(""));
        assertEquals(ServingStatus.SERVING, check("chronik.api.Chronik"));
        assertEquals(ServingStatus.SERVING, check("partition/orders-0"), "its replica of orders-0 runs, no fault");
        return null;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    ExecutionException unknown = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> health.check(HealthCheckRequest.newBuilder().setService("no.such.Service").build()).toCompletableFuture()
            .get(15, TimeUnit.SECONDS));
    assertEquals(io.grpc.Status.Code.NOT_FOUND,
        assertInstanceOf(StatusRuntimeException.class, unknown.getCause()).getStatus().getCode());
    ExecutionException noReplica = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> check("partition/orders-7"));
    assertTrue(noReplica.getCause().getMessage().contains("[__chronik_meta-0, orders-0]"),
        "names the partitions it does hold: " + noReplica.getCause().getMessage());

    cluster.stop(1);
    assertEquals(ServingStatus.SERVING, check(""), "two of three nodes: still a majority");
    cluster.stop(2);
    cluster.kit(0).createTestProbe().awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
      try {
        assertEquals(ServingStatus.NOT_SERVING, check(""), "alone: no majority");
        return null;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }
}
