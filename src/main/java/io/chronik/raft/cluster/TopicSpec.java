package io.chronik.raft.cluster;

import com.typesafe.config.Config;
import io.chronik.raft.statemachine.KeyValueStateMachine;
import io.chronik.raft.statemachine.RecordLogStateMachine;
import io.chronik.raft.statemachine.StateMachine;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A topic declared in {@code chronik.topics}: {@code partitions} Raft groups named
 * {@code <name>-<p>}, each with {@code replication-factor} replicas placed by {@link Placement}.
 */
public record TopicSpec(String name, int partitions, int replicationFactor, String stateMachine,
    RecordLogStateMachine.Retention retention) {
  public TopicSpec {
    if (partitions < 1) throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1");
    stateMachineFactory(stateMachine, name, retention);
  }

  public TopicSpec(String name, int partitions, int replicationFactor, String stateMachine) {
    this(name, partitions, replicationFactor, stateMachine, RecordLogStateMachine.Retention.UNLIMITED);
  }

  /** Topics from {@code chronik.topics}; a record-log topic without its own retention gets {@code chronik.record-log}'s. */
  public static List<TopicSpec> fromConfig(Config chronik) {
    List<TopicSpec> topics = new ArrayList<>();
    for (Config t : chronik.getConfigList("topics")) {
      Config withDefaults = t.withFallback(chronik.getConfig("record-log"));
      RecordLogStateMachine.Retention retention = new RecordLogStateMachine.Retention(
          withDefaults.getBytes("retention-bytes"), withDefaults.getDuration("retention"));
      topics.add(new TopicSpec(t.getString("name"), t.getInt("partitions"), t.getInt("replication-factor"),
          t.getString("state-machine"), retention));
    }
    return topics;
  }

  public String groupId(int partition) {
    return name + "-" + partition;
  }

  /** Every partition's group, with its voters, over the configured node ids. */
  public List<NodeHost.GroupSpec> groups(Set<String> nodes) {
    List<NodeHost.GroupSpec> groups = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      String group = groupId(p);
      groups.add(new NodeHost.GroupSpec(group,
          new LinkedHashSet<>(Placement.replicas(group, nodes, replicationFactor)),
          stateMachineFactory(stateMachine, name, retention)));
    }
    return groups;
  }

  static Supplier<StateMachine> stateMachineFactory(String kind, String topic,
      RecordLogStateMachine.Retention retention) {
    return switch (kind) {
      case "record-log" -> () -> new RecordLogStateMachine(retention);
      case "key-value" -> KeyValueStateMachine::new;
      default -> throw new IllegalArgumentException("topic " + topic + ": unknown state-machine '" + kind
          + "'; use record-log or key-value");
    };
  }
}
