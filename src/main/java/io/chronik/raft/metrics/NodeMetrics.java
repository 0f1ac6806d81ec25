package io.chronik.raft.metrics;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The meter registry of one node ({@code NodeMetrics.get(system)}): its replicas, its gRPC server
 * and its JVM record into it directly, and {@code /metrics} renders it. Every meter carries a
 * {@code node} tag (the JVM's: {@code chronik.node-id}), so that series from many nodes can be
 * summed or told apart. Closed when the ActorSystem terminates.
 */
public final class NodeMetrics implements Extension {
  private final String nodeId;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmMetrics jvm;

  public static final class Id extends ExtensionId<NodeMetrics> {
    private static final Id INSTANCE = new Id();

    @Override
    public NodeMetrics createExtension(ActorSystem<?> system) {
      NodeMetrics metrics = new NodeMetrics(system.settings().config().getString("chronik.node-id"));
      system.getWhenTerminated().thenRun(metrics::close);
      return metrics;
    }
  }

  public static NodeMetrics get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  private NodeMetrics(String nodeId) {
    this.nodeId = nodeId;
    this.jvm = JvmMetrics.bindTo(registry, Tags.of("node", nodeId));
  }

  public String nodeId() {
    return nodeId;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Every meter of this node in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  private void close() {
    jvm.close();
    registry.close();
  }
}
