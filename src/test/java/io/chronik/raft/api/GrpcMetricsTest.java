package io.chronik.raft.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.grpc.GrpcServiceException;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.metrics.NodeMetrics;
import io.grpc.Status;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** What a gRPC call leaves in the Prometheus text: its duration by method and code, and calls in flight. */
class GrpcMetricsTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final GrpcMetrics grpc = new GrpcMetrics(registry, "n1");

  private static final String PRODUCE_UNAVAILABLE = "{code=\"UNAVAILABLE\",method=\"Produce\",node=\"n1\"";

  @Test
  void aCallThatFailsWithUnavailableIsCountedUnderItsCodeWithHistogramBuckets() {
    GrpcServiceException unavailable = new GrpcServiceException(Status.UNAVAILABLE.withDescription("no leader"));
    CompletableFuture<String> call = grpc.timed("Produce", () -> CompletableFuture.<String>failedFuture(unavailable))
        .toCompletableFuture();

    ExecutionException e = assertThrows(ExecutionException.class, call::get);
    assertSame(unavailable, e.getCause(), "the caller's failure is handed on as it is");
    String text = registry.scrape();
    assertTrue(text.contains("chronik_grpc_server_requests_seconds_count" + PRODUCE_UNAVAILABLE + "} 1"), text);
    // Buckets from 100 µs to 10 s (LatencyTimer), cumulative: the call is in every one from its own up.
    String bucket = "chronik_grpc_server_requests_seconds_bucket" + PRODUCE_UNAVAILABLE;
    assertTrue(text.contains(bucket + ",le=\"1.0E-4\"}"), text);
    assertTrue(text.contains(bucket + ",le=\"10.0\"} 1"), text);
    assertTrue(text.contains(bucket + ",le=\"+Inf\"} 1"), text);
  }

  @Test
  void aCallIsInFlightUntilItsStageCompletesThenCountedAsOk() {
    CompletableFuture<String> answer = new CompletableFuture<>();
    CompletableFuture<String> call = grpc.timed("Fetch", () -> answer).toCompletableFuture();
    assertEquals(1.0, inFlight());
    assertEquals(0, count("Fetch", Status.Code.OK));

    answer.complete("records");
    assertEquals("records", call.join());
    assertEquals(0.0, inFlight());
    assertEquals(1, count("Fetch", Status.Code.OK));
  }

  @Test
  void aCallThatThrowsIsCountedAndTheExceptionRethrown() {
    GrpcServiceException invalid = new GrpcServiceException(Status.INVALID_ARGUMENT);
    GrpcServiceException thrown = assertThrows(GrpcServiceException.class,
        () -> grpc.timed("Put", () -> {
          throw invalid;
        }));
    assertSame(invalid, thrown);
    assertEquals(1, count("Put", Status.Code.INVALID_ARGUMENT));
    assertEquals(0.0, inFlight());
  }

  @Test
  void theCodeOfAFailureIsThatOfTheStatusAmongItsCausesElseUnknown() {
    assertEquals(Status.Code.UNAVAILABLE,
        GrpcMetrics.codeOf(new CompletionException(new GrpcServiceException(Status.UNAVAILABLE))));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, GrpcMetrics.codeOf(Status.DEADLINE_EXCEEDED.asRuntimeException()));
    assertEquals(Status.Code.UNKNOWN, GrpcMetrics.codeOf(new IllegalStateException("bug")));
  }

  @Test
  void aGivenCodeOfDecidesTheCodeRecorded() {
    grpc.timed("Get", () -> CompletableFuture.failedFuture(new ChronikException(ChronikException.Kind.NOT_FOUND, "x")),
        e -> Status.Code.NOT_FOUND);
    assertEquals(1, count("Get", Status.Code.NOT_FOUND));
  }

  @Test
  void aNodesGrpcMetricsAreInItsScrape() {
    ActorTestKit kit =
        ActorTestKit.create(ConfigFactory.parseString("chronik.node-id = n9").withFallback(ConfigFactory.load()));
    try {
      GrpcMetrics.get(kit.system()).record("Ping", Status.Code.OK, 1_000_000);
      String text = NodeMetrics.get(kit.system()).scrape();
      assertTrue(text.contains("chronik_grpc_server_requests_seconds_count{code=\"OK\",method=\"Ping\",node=\"n9\"} 1"),
          text);
      assertTrue(text.contains("chronik_grpc_server_in_flight{node=\"n9\"} 0"), text);
    } finally {
      kit.shutdownTestKit();
    }
  }

  private double inFlight() {
    return registry.get("chronik.grpc.server.in.flight").tag("node", "n1").gauge().value();
  }

  private long count(String method, Status.Code code) {
    var timer = registry.find("chronik.grpc.server.requests").tags("method", method, "code", code.name()).timer();
    return timer == null ? 0 : timer.count();
  }
}
