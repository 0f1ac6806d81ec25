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
public record TopicSpec(String name, int partitions, int replicationFactor, String stateMachine) {
  public TopicSpec {
    if (partitions < 1) throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1");
    stateMachineFactory(stateMachine, name);
  }

  public static List<TopicSpec> fromConfig(Config chronik) {
    List<TopicSpec> topics = new ArrayList<>();
    for (Config t : chronik.getConfigList("topics")) {
      topics.add(new TopicSpec(t.getString("name"), t.getInt("partitions"), t.getInt("replication-factor"),
          t.getString("state-machine")));
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
          stateMachineFactory(stateMachine, name)));
    }
    return groups;
  }

  static Supplier<StateMachine> stateMachineFactory(String kind, String topic) {
    return switch (kind) {
      case "record-log" -> RecordLogStateMachine::new;
      case "key-value" -> KeyValueStateMachine::new;
      default -> throw new IllegalArgumentException("topic " + topic + ": unknown state-machine '" + kind
          + "'; use record-log or key-value");
    };
  }
}
