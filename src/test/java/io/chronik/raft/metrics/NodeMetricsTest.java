package io.chronik.raft.metrics;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** One registry per node, holding the JVM's meters tagged with the node id. */
class NodeMetricsTest {
  private static final ActorTestKit kit =
      ActorTestKit.create(ConfigFactory.parseString("chronik.node-id = n7").withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void oneRegistryPerNode() {
    assertSame(NodeMetrics.get(kit.system()).registry(), NodeMetrics.get(kit.system()).registry());
  }

  @Test
  void theScrapeHasTheJvmMetersTaggedWithTheNode() {
    String text = NodeMetrics.get(kit.system()).scrape();
    for (String series : new String[] {
        "jvm_memory_used_bytes{area=\"heap\",id=",
        "jvm_threads_live_threads{node=\"n7\"}",
        "jvm_gc_max_data_size_bytes{node=\"n7\"}",
        "jvm_classes_loaded_classes{node=\"n7\"}",
        "system_cpu_count{node=\"n7\"}",
        "process_uptime_seconds{node=\"n7\"}",
        "process_cpu_seconds_total{node=\"n7\"}",
        "jvm_compilation_time_ms_total{",
    }) {
      assertTrue(text.contains(series), series + " in\n" + text);
    }
    assertTrue(text.matches("(?s).*jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\",node=\"n7\"} [0-9].*"), text);
  }
}
