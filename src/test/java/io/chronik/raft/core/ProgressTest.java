package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void probeSendsOneAtATimeThenPipelinesAfterASuccess() {
    Progress p = new Progress(11, 3);
    assertTrue(p.probing());
    assertTrue(p.canSend());
    p.sent(12);
    assertFalse(p.canSend(), "one probe in flight");
    assertTrue(p.acknowledged(12));
    assertFalse(p.probing());
    assertEquals(13, p.next());
    p.sent(14);
    p.sent(16);
    p.sent(18);
    assertFalse(p.canSend(), "window of 3 full");
    assertEquals(19, p.next(), "next advances optimistically");
    p.acknowledged(16);
    assertEquals(1, p.inflightCount(), "acknowledging 16 frees the appends up to 16");
    assertTrue(p.canSend());
  }

  @Test
  void staleRejectionsChangeNothing() {
    Progress p = new Progress(11, 3);
    p.sent(10);
    p.acknowledged(10);
    p.sent(15); // prev 10
    p.sent(20); // prev 15
    assertFalse(p.rejected(8, 5), "rejection below match is stale in replicate mode");
    assertEquals(21, p.next());
    assertTrue(p.rejected(15, 13), "the append after 15 was rejected: probe from the hint");
    assertTrue(p.probing());
    assertEquals(13, p.next());
    assertFalse(p.rejected(15, 11), "a duplicate of that rejection is not the answer to the new probe");
    assertEquals(13, p.next());
    assertTrue(p.rejected(12, 11), "the answer to the probe at prev 12 counts");
    assertEquals(11, p.next());
  }

  @Test
  void rejectionNeverMovesNextBelowMatch() {
    Progress p = new Progress(6, 2);
    p.sent(5);
    p.acknowledged(5);
    p.sent(9);
    assertTrue(p.rejected(9, 1));
    assertEquals(6, p.next());
  }


  @Test
  void aRejectionThatCannotMoveNextWaitsForTheNextHeartbeat() {
    Progress probe = new Progress(6, 2);
    probe.sent(5);
    assertFalse(probe.rejected(5, 6), "next stays 6: no immediate resend");
    assertTrue(probe.probing());
    assertEquals(6, probe.next());
  }

  // ---- InstallSnapshot transfers

  private static final com.google.protobuf.ByteString SNAPSHOT = com.google.protobuf.ByteString.copyFromUtf8("0123456789ab");

  private static long crcOf(int end) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(SNAPSHOT.substring(0, end).asReadOnlyByteBuffer());
    return crc.getValue();
  }

  /** Reads the chunk of 4 bytes at the offset to send and returns its checksum, as the leader does. */
  private static long send(Progress p) {
    int from = (int) p.snapshotOffset();
    return p.checksumThrough(SNAPSHOT.substring(from, Math.min(SNAPSHOT.size(), from + 4)));
  }

  @Test
  void eachChunkCarriesTheChecksumOfEveryByteSentSoFarInItsTransfer() {
    Progress p = new Progress(1, 3);
    p.startSnapshot(30);
    p.startSnapshot(40); // a newer snapshot replaced the one being sent: transfer 2
    long transfer = p.snapshotTransfer();
    assertEquals(crcOf(4), send(p));
    assertEquals(crcOf(4), send(p), "the heartbeat's resend of the same chunk");
    assertTrue(p.snapshotAcknowledged(transfer, 4));
    assertEquals(crcOf(8), send(p));
    assertFalse(p.snapshotAcknowledged(transfer, 4), "a duplicated older answer waits for the resend");
    assertFalse(p.snapshotAcknowledged(transfer - 1, 0), "an answer about an earlier transfer changes nothing");
    assertEquals(4, p.snapshotOffset());
    assertEquals(crcOf(8), send(p), "the last chunk, sent again");
    assertTrue(p.snapshotAcknowledged(transfer, 8));
    assertEquals(crcOf(12), send(p), "the last chunk's checksum is the whole snapshot's");
    assertEquals(transfer, p.snapshotTransfer());
  }

  @Test
  void aFollowerThatHoldsWhatTheTransferDidNotSendGetsANewTransferFromTheFirstByte() {
    Progress p = new Progress(1, 3);
    p.startSnapshot(40);
    long first = p.snapshotTransfer();
    send(p);
    assertTrue(p.snapshotAcknowledged(first, 4));
    send(p);
    assertTrue(p.snapshotAcknowledged(first, 0), "its storage restarted: start over");
    assertTrue(p.snapshotTransfer() > first, "under a new transfer id");
    assertEquals(0, p.snapshotOffset());
    assertEquals(crcOf(4), send(p));
    long second = p.snapshotTransfer();
    assertTrue(p.snapshotAcknowledged(second, 10), "an offset this transfer never sent up to: start over");
    assertTrue(p.snapshotTransfer() > second);
    assertEquals(0, p.snapshotOffset());
  }

  @Test
  void aFollowerOfAnEarlierVersionResumesWhereItsCopyEndsAndGetsNoChecksum() {
    Progress p = new Progress(1, 3);
    p.startSnapshot(40);
    send(p);
    assertTrue(p.snapshotAcknowledged(0, 8), "transfer 0: an earlier version, which resumes by snapshot");
    assertEquals(8, p.snapshotOffset());
    assertEquals(-1, send(p));
  }
}
