/**
 * The command-line gRPC client: one-call commands ({@code produce}, {@code get}, {@code status},
 * ...) that start no ActorSystem, and the akka-grpc clients of the long-running tools. Talks to a
 * node only through the generated gRPC API ({@code api.grpc}); must not depend on any other
 * chronik package.
 */
package io.chronik.raft.client;
