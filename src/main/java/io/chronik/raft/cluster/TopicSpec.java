package io.chronik.raft.cluster;

import com.typesafe.config.Config;
import io.chronik.raft.statemachine.StateMachine;
import io.chronik.raft.statemachine.journal.JournalStateMachine;
import io.chronik.raft.statemachine.kafka.KafkaLogStateMachine;
import io.chronik.raft.statemachine.keyvalue.KeyValueStateMachine;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A topic declared in {@code chronik.topics}: {@code partitions} Raft groups named
 * {@code <name>-<p>}, each with {@code replication-factor} replicas placed by {@link Placement}.
 */
public record TopicSpec(String name, int partitions, int replicationFactor, String stateMachine,
    RecordLogStateMachine.Retention retention, int segmentBytes, RecordLogStateMachine.ProducerLimits producerLimits) {
  public TopicSpec {
    if (partitions < 1) throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1");
    if (segmentBytes < 1024 || segmentBytes > (1 << 30)) {
      throw new IllegalArgumentException("topic " + name + ": segment-bytes must be between 1KiB and 1GiB, got "
          + segmentBytes);
    }
    if (!KINDS.contains(stateMachine)) {
      throw new IllegalArgumentException("topic " + name + ": unknown state-machine '" + stateMachine
          + "'; use one of " + KINDS);
    }
  }

  /**
   * The state machines a topic may run: Kafka-like logs, key-value maps, Akka Persistence
   * journals ({@link JournalStateMachine}: events and snapshots of persistent actors), and Kafka
   * partitions ({@link KafkaLogStateMachine}: what Kafka clients produce and fetch).
   */
  public static final List<String> KINDS = List.of("record-log", "key-value", "journal", "kafka");

  public TopicSpec(String name, int partitions, int replicationFactor, String stateMachine) {
    this(name, partitions, replicationFactor, stateMachine, RecordLogStateMachine.Retention.UNLIMITED,
        RecordLogStateMachine.DEFAULT_SEGMENT_BYTES, RecordLogStateMachine.ProducerLimits.DEFAULT);
  }

  /** Topics from {@code chronik.topics}; a record-log topic without its own retention gets {@code chronik.record-log}'s. */
  public static List<TopicSpec> fromConfig(Config chronik) {
    List<TopicSpec> topics = new ArrayList<>();
    for (Config t : chronik.getConfigList("topics")) {
      Config withDefaults = t.withFallback(chronik.getConfig("record-log"));
      RecordLogStateMachine.Retention retention = new RecordLogStateMachine.Retention(
          withDefaults.getBytes("retention-bytes"), withDefaults.getDuration("retention"));
      long segmentBytes = withDefaults.getBytes("segment-bytes");
      RecordLogStateMachine.ProducerLimits producers = new RecordLogStateMachine.ProducerLimits(
          withDefaults.getInt("max-producers"), withDefaults.getDuration("producer-expiry"));
      topics.add(new TopicSpec(t.getString("name"), t.getInt("partitions"), t.getInt("replication-factor"),
          t.getString("state-machine"), retention, (int) Math.min(Integer.MAX_VALUE, segmentBytes), producers));
    }
    return topics;
  }

  public String groupId(int partition) {
    return name + "-" + partition;
  }

  /**
   * Every partition's group, with its voters, over the configured node ids; a record-log
   * partition keeps its segment files under {@code recordsDir.apply(group)}, or in memory when
   * that is empty.
   */
  public List<NodeHost.GroupSpec> groups(Set<String> nodes, Function<String, Optional<Path>> recordsDir) {
    List<List<String>> placement = new ArrayList<>();
    for (int p = 0; p < partitions; p++) placement.add(Placement.replicas(groupId(p), nodes, replicationFactor));
    return groups(placement, recordsDir);
  }

  /** Every partition's group, partition {@code p} with the voters {@code placement.get(p)}. */
  public List<NodeHost.GroupSpec> groups(List<List<String>> placement, Function<String, Optional<Path>> recordsDir) {
    if (placement.size() != partitions) {
      throw new IllegalArgumentException("topic " + name + ": " + placement.size() + " placements for " + partitions
          + " partitions");
    }
    List<NodeHost.GroupSpec> groups = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      String group = groupId(p);
      groups.add(new NodeHost.GroupSpec(group, new LinkedHashSet<>(placement.get(p)), Optional.empty(),
          stateMachineFactory(recordsDir.apply(group)), key -> stateMachineFactory(recordsDir.apply(key))));
    }
    return groups;
  }

  private Supplier<StateMachine> stateMachineFactory(Optional<Path> recordsDir) {
    return switch (stateMachine) {
      case "record-log" -> recordsDir
          .<Supplier<StateMachine>>map(dir -> () -> RecordLogStateMachine.onDisk(dir, retention, segmentBytes,
              producerLimits))
          .orElse(() -> new RecordLogStateMachine(retention, segmentBytes, producerLimits));
      case "kafka" -> recordsDir
          .<Supplier<StateMachine>>map(dir -> () -> KafkaLogStateMachine.onDisk(dir, retention, segmentBytes,
              producerLimits))
          .orElse(() -> KafkaLogStateMachine.inMemory(retention, segmentBytes, producerLimits));
      case "journal" -> recordsDir
          .<Supplier<StateMachine>>map(dir -> () -> JournalStateMachine.onDisk(dir, segmentBytes))
          .orElse(JournalStateMachine::new);
      default -> KeyValueStateMachine::new;
    };
  }
}
