package io.chronik.raft.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.lang.management.ManagementFactory;

/**
 * The JVM's own meters: memory, GC pauses, threads, classes, CPU, uptime and JIT time. Closing
 * removes the GC notification listener, which would otherwise outlive the node (several nodes
 * may share one JVM in tests).
 */
final class JvmMetrics implements AutoCloseable {
  private final JvmGcMetrics gc;

  private JvmMetrics(JvmGcMetrics gc) {
    this.gc = gc;
  }

  static JvmMetrics bindTo(MeterRegistry registry, Tags tags) {
    new JvmMemoryMetrics(tags).bindTo(registry);
    new JvmThreadMetrics(tags).bindTo(registry);
    new ClassLoaderMetrics(tags).bindTo(registry);
    new ProcessorMetrics(tags).bindTo(registry);
    new UptimeMetrics(tags).bindTo(registry);
    new JvmCompilationMetrics(tags).bindTo(registry);
    processCpuSeconds(registry, tags);
    JvmGcMetrics gc = new JvmGcMetrics(tags);
    gc.bindTo(registry);
    return new JvmMetrics(gc);
  }

  /**
   * CPU time this node's JVM has used, in seconds ({@code process_cpu_seconds_total}): what each
   * read or write costs the node, per scrape interval. The benchmark prices operations with it.
   */
  private static void processCpuSeconds(MeterRegistry registry, Tags tags) {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process_cpu_seconds", os, o -> o.getProcessCpuTime() / 1e9).tags(tags)
          .register(registry);
    }
  }

  @Override
  public void close() {
    gc.close();
  }
}
