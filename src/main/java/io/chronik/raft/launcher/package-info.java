/**
 * Node processes on one machine: {@code LocalCluster} (what {@code cluster}, {@code bench} and the
 * process-level tests start), the {@code cluster} command, and the start-up class-data archive
 * with its {@code warm-up} training run. Depends on {@code server}, {@code client} and the API;
 * the engine must not depend on it.
 */
package io.chronik.raft.launcher;
