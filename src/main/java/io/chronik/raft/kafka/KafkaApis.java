package io.chronik.raft.kafka;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.replica.ReadPolicy;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * One node's Kafka APIs: parses a request frame (without its length), hands it to the API's
 * handler, and writes the response frame; empty when the request wants none (a produce with
 * {@code acks=0}). A request this listener cannot parse, or of an API or version it did not
 * advertise, fails: the connection is closed, as a Kafka broker does.
 */
public final class KafkaApis {
  private final MetadataApi metadata;
  private final ProduceApi produce;
  private final FetchApi fetch;
  private final ListOffsetsApi listOffsets;
  private final InitProducerIdApi initProducerId = new InitProducerIdApi();
  private final GroupOffsetsApi offsets;

  KafkaApis(ActorSystem<?> system) {
    ChronikRaft chronik = ChronikRaft.get(system);
    Config config = system.settings().config();
    Brokers brokers = new Brokers(chronik.node());
    ReadPolicy policy = ReadPolicy.parse(config.getString("chronik.raft.follower-read-policy"));
    this.metadata = new MetadataApi(chronik, brokers, config.getInt("chronik.kafka.auto-create-partitions"),
        config.getDuration("chronik.client.status-timeout"));
    this.produce = new ProduceApi(chronik, config.getBytes("chronik.raft.max-entry-bytes"));
    this.fetch = new FetchApi(chronik, brokers, policy, system.scheduler(), system.executionContext(),
        io.chronik.raft.metrics.NodeMetrics.get(system).registry());
    this.listOffsets = new ListOffsetsApi(chronik, policy);
    this.offsets = new GroupOffsetsApi(chronik, brokers, config.getString("chronik.kafka.offsets-topic"),
        config.getInt("chronik.kafka.offsets-topic-partitions"));
  }

  /** The response frame to {@code request}, if it wants one. */
  public CompletionStage<Optional<ByteBuffer>> handle(ByteBuffer request) {
    RequestHeader header;
    try {
      header = RequestHeader.parse(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("not a Kafka request: " + e.getMessage(), e));
    }
    ApiKeys api = header.apiKey();
    short version = header.apiVersion();
    if (api == ApiKeys.API_VERSIONS) return CompletableFuture.completedFuture(Optional.of(apiVersions(header, request)));
    if (!SupportedApis.supports(api, version)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(api + " version " + version + " from client '"
          + header.clientId() + "' was not advertised (this listener supports " + SupportedApis.VERSIONS + ")"));
    }
    ByteBufferAccessor in = new ByteBufferAccessor(request);
    CompletionStage<Optional<ApiMessage>> response;
    try {
      response = switch (api) {
        case METADATA -> metadata.handle(new MetadataRequestData(in, version), version).thenApply(Optional::of);
        case PRODUCE -> produce.handle(new ProduceRequestData(in, version));
        case FETCH -> fetch.handle(new FetchRequestData(in, version), version).thenApply(Optional::of);
        case LIST_OFFSETS -> listOffsets.handle(new ListOffsetsRequestData(in, version)).thenApply(Optional::of);
        case INIT_PRODUCER_ID -> CompletableFuture.completedFuture(
            Optional.of(initProducerId.handle(new InitProducerIdRequestData(in, version), version)));
        case FIND_COORDINATOR -> CompletableFuture.completedFuture(
            Optional.of(offsets.findCoordinator(new FindCoordinatorRequestData(in, version), version)));
        case OFFSET_COMMIT -> offsets.commit(new OffsetCommitRequestData(in, version)).thenApply(Optional::of);
        case OFFSET_FETCH -> offsets.fetch(new OffsetFetchRequestData(in, version)).thenApply(Optional::of);
        default -> throw new IllegalStateException("advertised but not handled: " + api);
      };
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("malformed " + api + " v" + version
          + " request from client '" + header.clientId() + "': " + e.getMessage(), e));
    }
    return response.thenApply(body -> body.map(b -> frame(header, b, version)));
  }

  /** ApiVersions: a version newer than this listener's is answered in version 0 with the versions it has. */
  private static ByteBuffer apiVersions(RequestHeader header, ByteBuffer request) {
    short version = header.apiVersion();
    ApiVersionsResponseData data = new ApiVersionsResponseData().setApiKeys(SupportedApis.advertised());
    if (!SupportedApis.supports(ApiKeys.API_VERSIONS, version)) {
      return frame(header, data.setErrorCode(Errors.UNSUPPORTED_VERSION.code()), (short) 0);
    }
    try {
      new ApiVersionsRequestData(new ByteBufferAccessor(request), version);
    } catch (RuntimeException e) {
      return frame(header, data.setErrorCode(Errors.INVALID_REQUEST.code()), version);
    }
    return frame(header, data, version);
  }

  /** The response frame (without its size) for {@code body} at {@code version}. */
  static ByteBuffer frame(RequestHeader header, ApiMessage body, short version) {
    ResponseHeaderData responseHeader = new ResponseHeaderData().setCorrelationId(header.correlationId());
    return RequestUtils.serialize(responseHeader, header.apiKey().responseHeaderVersion(version), body, version);
  }
}
