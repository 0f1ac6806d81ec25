/**
 * The standalone node: the {@code server} command that boots one (Akka Cluster plus gRPC) and
 * configuration loading ({@code ChronikConfig}, {@code ServerConfig}). Built on the engine
 * ({@code api}, {@code cluster}, {@code storage}); must not depend on the tools that start or
 * call nodes ({@code cli}, {@code client}, {@code launcher}, {@code demo}, {@code bench}).
 */
package io.chronik.raft.server;
