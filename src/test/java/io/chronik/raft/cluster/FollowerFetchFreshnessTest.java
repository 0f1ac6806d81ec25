package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The moment that matters for a consumer that reads to the end: right after a produce is
 * acknowledged, one Fetch (v12, {@code max_wait_ms} 0) sent straight to a follower's Kafka
 * listener. Its high watermark must be past the acknowledged record — the follower's answer is a
 * ReadIndex read. {@code -Dchronik.freshness-policy=unsafe} measures Kafka's own semantics instead
 * (the follower's applied state) and only reports how often the answer was behind;
 * {@code -Dchronik.freshness-tries=N} (default 300).
 */
@Tag("cluster")
class FollowerFetchFreshnessTest {
  private static final String TOPIC = "fresh";

  @Test
  void aFollowersHighWatermarkIsNeverBehindAnAcknowledgedProduce() throws Exception {
    String policy = System.getProperty("chronik.freshness-policy", "safe");
    int tries = Integer.getInteger("chronik.freshness-tries", 300);
    try (TestCluster c = new TestCluster(List.of("n1", "n2", "n3"),
        "[{ name = " + TOPIC + ", partitions = 1, replication-factor = 3, state-machine = kafka }]",
        "chronik.raft.follower-read-policy = " + policy)) {
      int[] ports = new int[3];
      for (int i = 0; i < 3; i++) ports[i] = KafkaClientsClusterTest.bind(c, i);
      KafkaClientsClusterTest.awaitBrokers(c, 0, 3);
      String leader = io.chronik.raft.core.Configuration.nodeOf(c.awaitLeader(0, TOPIC + "-0").leader().orElseThrow());
      int follower = KafkaClientsClusterTest.reader(c, 0, TOPIC + "-0");
      // Bad input closes that connection and nothing else: an unknown API, a frame over the limit, garbage.
      assertClosed(ports[follower], new byte[] {0, 0, 0, 6, 0, 99, 0, 0, 0, 1});
      assertClosed(ports[follower], new byte[] {0x7f, -1, -1, -1, 1, 2, 3});
      assertClosed(ports[follower], new byte[] {0, 0, 0, 4, -1, -1, -1, -1});
      int behind = 0;
      try (KafkaProducer<String, String> producer = KafkaClientsClusterTest.producer(ports[c.indexOf(leader)]);
          Socket socket = new Socket("127.0.0.1", ports[follower])) {
        socket.setTcpNoDelay(true);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        DataInputStream in = new DataInputStream(socket.getInputStream());
        for (int i = 0; i < tries; i++) {
          long offset = producer.send(new ProducerRecord<>(TOPIC, 0, null, "r" + i)).get(30, TimeUnit.SECONDS).offset();
          FetchResponseData.PartitionData p = fetch(out, in, i, offset);
          // A follower that has not even applied the entries before it answers "out of range".
          if (p.errorCode() == org.apache.kafka.common.protocol.Errors.OFFSET_OUT_OF_RANGE.code()) {
            behind++;
            continue;
          }
          assertEquals(0, p.errorCode(), "fetch error");
          if (p.highWatermark() <= offset) behind++;
        }
      }
      System.out.printf("fetch from follower %s right after the acknowledgement (policy %s): %d of %d answers' high "
          + "watermark was behind the acknowledged record%n", c.ids.get(follower), policy, behind, tries);
      if (policy.equals("safe")) assertEquals(0, behind, "a safe follower fetch missed an acknowledged record");
    }
  }

  private static void assertClosed(int port, byte[] sent) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(sent);
      socket.getOutputStream().flush();
      int read;
      try {
        read = socket.getInputStream().read();
      } catch (java.net.SocketException reset) {
        read = -1; // closed with a reset: closed all the same
      }
      assertEquals(-1, read, "the listener closes the connection of a bad request");
    }
  }

  private static FetchResponseData.PartitionData fetch(DataOutputStream out, DataInputStream in, int correlation,
      long offset) throws Exception {
    short version = 12;
    FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0)
        .setMaxBytes(1 << 20).setSessionEpoch(-1);
    request.topics().add(new FetchRequestData.FetchTopic().setTopic(TOPIC).setPartitions(List.of(
        new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(offset).setPartitionMaxBytes(1 << 20))));
    RequestHeader header = new RequestHeader(new RequestHeaderData().setRequestApiKey(ApiKeys.FETCH.id)
        .setRequestApiVersion(version).setClientId("freshness").setCorrelationId(correlation),
        ApiKeys.FETCH.requestHeaderVersion(version));
    ByteBuffer bytes = RequestUtils.serialize(header.data(), header.headerVersion(), request, version);
    out.writeInt(bytes.remaining());
    out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
    out.flush();
    byte[] answer = new byte[in.readInt()];
    in.readFully(answer);
    FetchResponseData response = (FetchResponseData) AbstractResponse.parseResponse(ByteBuffer.wrap(answer), header)
        .data();
    assertTrue(response.responses().size() == 1, "one topic answered");
    return response.responses().get(0).partitions().get(0);
  }
}
