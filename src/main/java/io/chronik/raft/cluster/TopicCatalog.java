package io.chronik.raft.cluster;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.typesafe.config.Config;
import io.chronik.raft.metadata.proto.PlacedPartition;
import io.chronik.raft.metadata.proto.TopicRecord;
import io.chronik.raft.statemachine.recordlog.RecordLogStateMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The topics created at runtime, as the metadata group holds them (key {@link #KEY} of partition
 * {@link #GROUP}): each with the voters its partitions start on. A deleted topic stays in the
 * catalog, marked deleted, so that every node learns to delete its replicas' files, and its name is
 * never reused: a node that was down during the delete could otherwise take its old files for the
 * new topic's.
 */
public final class TopicCatalog {
  /** The metadata group's topic: one key-value partition. */
  public static final String TOPIC = "__chronik_meta";
  public static final String GROUP = TOPIC + "-0";
  public static final String KEY = "topics";
  public static final TopicCatalog EMPTY = new TopicCatalog(io.chronik.raft.metadata.proto.TopicCatalog.getDefaultInstance());
  public static final int MAX_PARTITIONS = 1024;
  public static final int MAX_REPLICATION_FACTOR = 7;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private final io.chronik.raft.metadata.proto.TopicCatalog topics;

  private TopicCatalog(io.chronik.raft.metadata.proto.TopicCatalog topics) {
    this.topics = topics;
  }

  /** The catalog a metadata value holds; a value this version cannot read fails with a message that says so. */
  public static TopicCatalog parse(ByteString value) {
    try {
      return new TopicCatalog(io.chronik.raft.metadata.proto.TopicCatalog.parseFrom(value));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the metadata group's topic catalog (" + value.size() + " bytes) is not readable "
          + "by this version: " + e.getMessage(), e);
    }
  }

  public ByteString bytes() {
    return topics.toByteString();
  }

  public List<TopicRecord> all() {
    return topics.getTopicsList();
  }

  public List<TopicRecord> active() {
    return all().stream().filter(t -> !t.getDeleted()).toList();
  }

  public Optional<TopicRecord> find(String name) {
    return all().stream().filter(t -> t.getName().equals(name)).findFirst();
  }

  /** This catalog with {@code topic} added; its name must not be in the catalog yet. */
  public TopicCatalog with(TopicRecord topic) {
    if (find(topic.getName()).isPresent()) throw new IllegalArgumentException("topic " + topic.getName() + " exists");
    return new TopicCatalog(topics.toBuilder().addTopics(topic).build());
  }

  /** The cluster's id; empty until the first node that read the catalog drew one. */
  public String clusterId() {
    return topics.getClusterId();
  }

  public TopicCatalog withClusterId(String clusterId) {
    return new TopicCatalog(topics.toBuilder().setClusterId(clusterId).build());
  }

  /** A new cluster id: 12 random hex digits. */
  public static String newClusterId() {
    return StoreIdentity.randomId("c-");
  }

  /** This catalog with topic {@code name} marked deleted at {@code nowMillis}. */
  public TopicCatalog deleting(String name, long nowMillis) {
    io.chronik.raft.metadata.proto.TopicCatalog.Builder out = topics.toBuilder().clearTopics();
    for (TopicRecord t : all()) {
      out.addTopics(t.getName().equals(name) ? t.toBuilder().setDeleted(true).setDeletedAtMs(nowMillis).build() : t);
    }
    return new TopicCatalog(out.build());
  }

  /**
   * Why {@code name} cannot name a new topic, or empty when it can: letters, digits, '.', '_' and
   * '-', at most 100 characters, not starting with "__" (the cluster's own topics).
   */
  public static Optional<String> invalidName(String name) {
    if (!NAME.matcher(name).matches()) {
      return Optional.of("topic name '" + name + "' is not allowed: use 1 to 100 letters, digits, '.', '_' and '-'");
    }
    if (name.startsWith("__")) {
      return Optional.of("topic names starting with \"__\" are the cluster's own (" + TOPIC + "); choose another name");
    }
    return Optional.empty();
  }

  /** A new topic's record, its partitions placed over {@code nodes} by {@link Placement}. */
  public static TopicRecord place(String name, int partitions, int replicationFactor, String kind,
      RecordLogStateMachine.Retention retention, Set<String> nodes, long nowMillis) {
    TopicRecord.Builder r = TopicRecord.newBuilder().setName(name).setPartitions(partitions)
        .setReplicationFactor(replicationFactor).setKind(kind).setRetentionBytes(retention.bytes())
        .setRetentionMs(retention.age().toMillis()).setCreatedAtMs(nowMillis);
    for (int p = 0; p < partitions; p++) {
      r.addPlacement(PlacedPartition.newBuilder().addAllNodes(Placement.replicas(name + "-" + p, nodes,
          replicationFactor)));
    }
    return r.build();
  }

  /** The topic a record declares, with {@code chronik.record-log}'s segment size and producer limits. */
  public static TopicSpec spec(TopicRecord r, Config chronik) {
    Config recordLog = chronik.getConfig("record-log");
    return new TopicSpec(r.getName(), r.getPartitions(), r.getReplicationFactor(), r.getKind(),
        new RecordLogStateMachine.Retention(r.getRetentionBytes(), Duration.ofMillis(r.getRetentionMs())),
        (int) Math.min(Integer.MAX_VALUE, recordLog.getBytes("segment-bytes")),
        new RecordLogStateMachine.ProducerLimits(recordLog.getInt("max-producers"),
            recordLog.getDuration("producer-expiry")));
  }

  /** Each partition's first voters, as the record placed them. */
  public static List<List<String>> placement(TopicRecord r) {
    List<List<String>> out = new ArrayList<>();
    for (PlacedPartition p : r.getPlacementList()) out.add(List.copyOf(p.getNodesList()));
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicCatalog c && c.topics.equals(topics);
  }

  @Override
  public int hashCode() {
    return topics.hashCode();
  }
}
