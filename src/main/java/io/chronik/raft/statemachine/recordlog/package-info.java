/**
 * The built-in record log state machine: append records and get offsets, read from an offset,
 * retention, idempotent produce ({@code ProducerTable}). Its files are {@code records}. Depends on
 * the SPI ({@code statemachine}, {@code snapshot}) and {@code records}; nothing in the SPI depends on it.
 */
package io.chronik.raft.statemachine.recordlog;
