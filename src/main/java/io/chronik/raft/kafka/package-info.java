/**
 * The Kafka protocol listener: Kafka clients produce to and fetch from chronik's {@code kafka}
 * topics on any node, and fetch from a replica in their rack through ReadIndex (linearizable
 * follower fetch). Requests and responses are read and written with kafka-clients' message classes.
 *
 * <p>Uses the engine ({@code api}, {@code cluster}, {@code replica}, {@code statemachine.kafka});
 * must not depend on {@code server} or the tools; {@code server} binds it.
 */
package io.chronik.raft.kafka;
