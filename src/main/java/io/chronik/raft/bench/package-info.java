/**
 * Benchmarks: {@code bench} (closed-loop gRPC clients against node processes, a report with the
 * targets met or missed) and {@code throughput} (an in-process group on the embedded journal).
 * A tool: nothing depends on it but {@code cli}.
 */
package io.chronik.raft.bench;
