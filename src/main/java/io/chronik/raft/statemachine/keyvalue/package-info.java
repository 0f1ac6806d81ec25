/**
 * The built-in key-value state machine: put, get, delete, compare-and-set. Depends on the SPI
 * ({@code statemachine}, {@code snapshot}) only; nothing in the SPI depends on it.
 */
package io.chronik.raft.statemachine.keyvalue;
