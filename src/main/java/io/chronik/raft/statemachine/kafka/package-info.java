/**
 * The Kafka-log state machine: a partition of Kafka record batches, stored and served byte for byte,
 * behind chronik's Kafka listener ({@code io.chronik.raft.kafka}). Stored in {@code records}'
 * segments, with {@code statemachine.recordlog}'s producer table; must not depend on anything else
 * of chronik but {@code statemachine} and {@code snapshot} (kafka-clients reads the batches).
 */
package io.chronik.raft.statemachine.kafka;
