/**
 * Node and JVM metrics (Micrometer, exposed for Prometheus by {@code api.MetricsEndpoint}) and the
 * latency timer replicas record into. Must not depend on any other chronik package.
 */
package io.chronik.raft.metrics;
