package io.chronik.raft.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.grpc.GrpcServiceException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How failures become gRPC statuses and trailers. */
class ErrorStatusTest {
  private static final Map<String, String> ADDRESSES = Map.of("n2", "10.0.0.2:9091");

  private static GrpcServiceException toGrpc(ChronikException e) {
    return ChronikGrpcService.toGrpc(e, id -> Optional.ofNullable(ADDRESSES.get(id)));
  }

  @Test
  void aLeaderHintGivesTheLeadersIdAndTheAddressWhereItServesGrpc() {
    GrpcServiceException g = toGrpc(new ChronikException(ChronikException.Kind.UNAVAILABLE, "no leader",
        Optional.of("n2")));
    assertEquals(io.grpc.Status.Code.UNAVAILABLE, g.getStatus().getCode());
    assertEquals(Optional.of("n2"), g.getMetadata().getText("chronik-leader-id"));
    assertEquals(Optional.of("10.0.0.2:9091"), g.getMetadata().getText("chronik-leader-hint"));
    assertEquals(Optional.of("true"), g.getMetadata().getText("chronik-retry-safe"));
  }

  @Test
  void aLeaderWhoseAddressIsNotKnownIsNamedWithoutAHint() {
    GrpcServiceException g = toGrpc(new ChronikException(ChronikException.Kind.UNAVAILABLE, "no leader",
        Optional.of("n3")));
    assertEquals(Optional.of("n3"), g.getMetadata().getText("chronik-leader-id"));
    assertEquals(Optional.empty(), g.getMetadata().getText("chronik-leader-hint"));
  }

  @Test
  void aWriteWhoseOutcomeIsUnknownIsNeverMarkedSafeToRetry() {
    for (ChronikException.Kind kind : new ChronikException.Kind[] {ChronikException.Kind.OUTCOME_UNKNOWN,
        ChronikException.Kind.TIMEOUT}) {
      GrpcServiceException g = toGrpc(new ChronikException(kind, "x"));
      assertFalse(g.getMetadata().getText("chronik-retry-safe").isPresent(), kind.toString());
    }
    GrpcServiceException timeout = ChronikGrpcService.toGrpc(new java.util.concurrent.TimeoutException("ask"),
        id -> Optional.empty());
    assertEquals(io.grpc.Status.Code.DEADLINE_EXCEEDED, timeout.getStatus().getCode());
    assertFalse(timeout.getStatus().getDescription().endsWith("; retry"), timeout.getStatus().getDescription());
    assertTrue(timeout.getStatus().getDescription().contains("may or may not have been applied"));
    assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION,
        toGrpc(new ChronikException(ChronikException.Kind.FAILED_PRECONDITION, "gap")).getStatus().getCode());
  }
}
