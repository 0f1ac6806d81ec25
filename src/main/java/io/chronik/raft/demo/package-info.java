/**
 * The {@code demo} command: a short tour of a 3-replica record log and key-value map in one
 * process, on the embedded journal. A tool: nothing depends on it but {@code cli}.
 */
package io.chronik.raft.demo;
