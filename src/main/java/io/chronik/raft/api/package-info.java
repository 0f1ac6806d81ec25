/**
 * The Java API ({@code ChronikRaft}, an Akka extension returning {@code CompletionStage}s) and the
 * gRPC services (client API, health, reflection, metrics endpoint). What applications embed; must
 * not depend on {@code server} or the tools ({@code cli}, {@code client}, {@code launcher},
 * {@code demo}, {@code bench}).
 */
package io.chronik.raft.api;
