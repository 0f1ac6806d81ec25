package io.chronik.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicSpecTest {
  private static List<TopicSpec> topics(String declared) {
    Config chronik = ConfigFactory.parseString("chronik.topics = " + declared)
        .withFallback(ConfigFactory.defaultReference()).resolve().getConfig("chronik");
    return TopicSpec.fromConfig(chronik);
  }

  /** Issue 19 item 6: a newcomer's records are not deleted by a size limit they never set (Kafka: retention.bytes = -1). */
  @Test
  void aRecordLogTopicWithoutARetentionOfItsOwnKeepsEveryRecordForSevenDaysWhateverItsSize() {
    TopicSpec t = topics("[{name = orders, partitions = 1, replication-factor = 3, state-machine = record-log}]").get(0);
    assertEquals(new RecordLogStateMachine.Retention(0, Duration.ofDays(7)), t.retention(),
        "no size limit by default, 7 days by age, as in Kafka");
  }

  @Test
  void aTopicsOwnRetentionStillApplies() {
    TopicSpec t = topics("[{name = orders, partitions = 1, replication-factor = 3, state-machine = record-log,"
        + " retention-bytes = 1GiB, retention = 2d}]").get(0);
    assertEquals(new RecordLogStateMachine.Retention(1L << 30, Duration.ofDays(2)), t.retention());
  }
}
