/**
 * The Kafka-log state machine: a partition of Kafka record batches, stored and served byte for byte,
 * behind chronik's Kafka listener ({@code io.chronik.raft.kafka}).
 */
package io.chronik.raft.statemachine.kafka;
