package io.chronik.raft.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Test;

/**
 * Every API version the listener advertises ({@link SupportedApis}), on the wire: a typical request
 * as a client writes it and the listener reads it back, and a typical response as the listener
 * writes it ({@link KafkaApis#frame}, header version included) and the client parses it back, both
 * compared byte for byte with {@code src/test/resources/kafka/golden-bytes.txt}. A new
 * kafka-clients version that changes any of these bytes fails here; regenerate the file with
 * {@code -Dchronik.kafka.golden.update=true} only after checking the change against the protocol
 * specification.
 */
class KafkaGoldenBytesTest {
  private static final Path GOLDEN = Path.of("src/test/resources/kafka/golden-bytes.txt");
  private static final MemoryRecords BATCH = MemoryRecords.withRecords(Compression.NONE,
      new SimpleRecord(1_700_000_000_000L, "key".getBytes(), "value".getBytes()));

  @Test
  void everyAdvertisedVersionRoundTripsAndMatchesTheGoldenBytes() throws IOException {
    List<String> lines = new ArrayList<>();
    for (Map.Entry<ApiKeys, SupportedApis.Range> e : SupportedApis.VERSIONS.entrySet()) {
      ApiKeys api = e.getKey();
      for (short v = e.getValue().min(); v <= e.getValue().max(); v++) {
        ApiMessage request = request(api, v);
        RequestHeader header = new RequestHeader(new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(v)
            .setClientId("golden").setCorrelationId(7), api.requestHeaderVersion(v));
        ByteBuffer requestBytes = RequestUtils.serialize(header.data(), header.headerVersion(), request, v);
        ByteBuffer parse = requestBytes.duplicate();
        RequestHeader parsedHeader = RequestHeader.parse(parse);
        assertEquals(header.correlationId(), parsedHeader.correlationId());
        AbstractRequest parsed = AbstractRequest.parseRequest(api, v, new ByteBufferAccessor(parse)).request;
        assertEquals(request, parsed.data(), api + " v" + v + " request read back");

        ApiMessage response = response(api, v);
        ByteBuffer responseBytes = KafkaApis.frame(header, response, v);
        AbstractResponse client = AbstractResponse.parseResponse(responseBytes.duplicate(), header);
        assertEquals(response, client.data(), api + " v" + v + " response as the client parses it");
        lines.add(api + " v" + v + " request " + hex(requestBytes));
        lines.add(api + " v" + v + " response " + hex(responseBytes));
      }
    }
    if (Boolean.getBoolean("chronik.kafka.golden.update")) Files.write(GOLDEN, lines);
    assertTrue(Files.exists(GOLDEN), GOLDEN + " is missing: run once with -Dchronik.kafka.golden.update=true");
    List<String> golden = Files.readAllLines(GOLDEN);
    for (int i = 0; i < Math.max(golden.size(), lines.size()); i++) {
      String want = i < golden.size() ? golden.get(i) : "(nothing)";
      String got = i < lines.size() ? lines.get(i) : "(nothing)";
      assertEquals(want, got, "line " + (i + 1) + " of " + GOLDEN);
    }
  }

  private static String hex(ByteBuffer b) {
    byte[] bytes = new byte[b.remaining()];
    b.duplicate().get(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static ApiMessage request(ApiKeys api, short v) {
    return switch (api) {
      case PRODUCE -> {
        ProduceRequestData d = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName("events");
        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(BATCH));
        d.topicData().add(t);
        yield d;
      }
      case FETCH -> {
        FetchRequestData d = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(500).setMinBytes(1)
            .setMaxBytes(1 << 20).setIsolationLevel((byte) 0);
        if (v >= 7) d.setSessionId(0).setSessionEpoch(-1);
        if (v >= 11) d.setRackId("rack-a");
        FetchRequestData.FetchPartition p = new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(7)
            .setPartitionMaxBytes(1 << 20);
        if (v >= 5) p.setLogStartOffset(-1);
        d.topics().add(new FetchRequestData.FetchTopic().setTopic("events").setPartitions(List.of(p)));
        yield d;
      }
      case LIST_OFFSETS -> {
        ListOffsetsRequestData d = new ListOffsetsRequestData().setReplicaId(-1);
        if (v >= 2) d.setIsolationLevel((byte) 0);
        d.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName("events").setPartitions(List.of(
            new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1))));
        yield d;
      }
      case METADATA -> {
        MetadataRequestData d = new MetadataRequestData();
        d.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("events"));
        if (v >= 10) d.topics().get(0).setTopicId(Uuid.ZERO_UUID);
        yield d;
      }
      case API_VERSIONS -> v >= 3
          ? new ApiVersionsRequestData().setClientSoftwareName("golden").setClientSoftwareVersion("1.0")
          : new ApiVersionsRequestData();
      case INIT_PRODUCER_ID -> new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000);
      case FIND_COORDINATOR -> new FindCoordinatorRequestData().setKey("orders-app");
      case OFFSET_COMMIT -> {
        OffsetCommitRequestData d = new OffsetCommitRequestData().setGroupId("orders-app")
            .setGenerationIdOrMemberEpoch(-1).setMemberId("");
        OffsetCommitRequestData.OffsetCommitRequestPartition p = new OffsetCommitRequestData.OffsetCommitRequestPartition()
            .setPartitionIndex(0).setCommittedOffset(42).setCommittedMetadata("");
        if (v >= 6) p.setCommittedLeaderEpoch(3);
        d.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("events").setPartitions(List.of(p)));
        yield d;
      }
      case OFFSET_FETCH -> {
        OffsetFetchRequestData d = new OffsetFetchRequestData().setGroupId("orders-app");
        d.topics().add(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("events")
            .setPartitionIndexes(List.of(0)));
        yield d;
      }
      default -> throw new IllegalArgumentException("no golden request for " + api);
    };
  }

  private static ApiMessage response(ApiKeys api, short v) {
    return switch (api) {
      case PRODUCE -> {
        ProduceResponseData d = new ProduceResponseData();
        ProduceResponseData.PartitionProduceResponse p = new ProduceResponseData.PartitionProduceResponse().setIndex(0)
            .setBaseOffset(5).setLogAppendTimeMs(-1);
        if (v >= 5) p.setLogStartOffset(0);
        d.responses().add(new ProduceResponseData.TopicProduceResponse().setName("events")
            .setPartitionResponses(List.of(p)));
        yield d;
      }
      case FETCH -> {
        FetchResponseData d = new FetchResponseData();
        FetchResponseData.PartitionData p = new FetchResponseData.PartitionData().setPartitionIndex(0)
            .setHighWatermark(10).setLastStableOffset(10).setRecords(BATCH);
        if (v >= 5) p.setLogStartOffset(0);
        if (v >= 11) p.setPreferredReadReplica(2);
        d.responses().add(new FetchResponseData.FetchableTopicResponse().setTopic("events").setPartitions(List.of(p)));
        yield d;
      }
      case LIST_OFFSETS -> {
        ListOffsetsResponseData d = new ListOffsetsResponseData();
        d.topics().add(new ListOffsetsResponseData.ListOffsetsTopicResponse().setName("events").setPartitions(List.of(
            new ListOffsetsResponseData.ListOffsetsPartitionResponse().setPartitionIndex(0).setTimestamp(-1)
                .setOffset(42))));
        yield d;
      }
      case METADATA -> {
        MetadataResponseData d = new MetadataResponseData().setControllerId(1);
        if (v >= 2) d.setClusterId("chronik");
        d.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(1).setHost("127.0.0.1")
            .setPort(9092).setRack("rack-a"));
        MetadataResponseData.MetadataResponsePartition p = new MetadataResponseData.MetadataResponsePartition()
            .setPartitionIndex(0).setLeaderId(1).setReplicaNodes(List.of(1, 2, 3)).setIsrNodes(List.of(1, 2, 3));
        if (v >= 7) p.setLeaderEpoch(3);
        MetadataResponseData.MetadataResponseTopic t = new MetadataResponseData.MetadataResponseTopic().setName("events")
            .setPartitions(List.of(p));
        d.topics().add(t);
        yield d;
      }
      case API_VERSIONS -> new ApiVersionsResponseData().setApiKeys(SupportedApis.advertised());
      case INIT_PRODUCER_ID -> new InitProducerIdResponseData().setProducerId(12_345).setProducerEpoch((short) 0);
      case FIND_COORDINATOR -> new FindCoordinatorResponseData().setNodeId(1).setHost("127.0.0.1").setPort(9092);
      case OFFSET_COMMIT -> {
        OffsetCommitResponseData d = new OffsetCommitResponseData();
        d.topics().add(new OffsetCommitResponseData.OffsetCommitResponseTopic().setName("events").setPartitions(List.of(
            new OffsetCommitResponseData.OffsetCommitResponsePartition().setPartitionIndex(0))));
        yield d;
      }
      case OFFSET_FETCH -> {
        OffsetFetchResponseData d = new OffsetFetchResponseData();
        OffsetFetchResponseData.OffsetFetchResponsePartition p = new OffsetFetchResponseData.OffsetFetchResponsePartition()
            .setPartitionIndex(0).setCommittedOffset(42).setMetadata("");
        if (v >= 5) p.setCommittedLeaderEpoch(3);
        d.topics().add(new OffsetFetchResponseData.OffsetFetchResponseTopic().setName("events").setPartitions(List.of(p)));
        yield d;
      }
      default -> throw new IllegalArgumentException("no golden response for " + api);
    };
  }
}
