package io.chronik.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FollowerCommitTest {
  private final FollowerCommit commit = new FollowerCommit(new ReplicationRules());

  @Test
  void aReadIndexCommitsOnlyAsFarAsTheLeadersAppendsProvedTheLog() {
    assertEquals(0, commit.onAppendAccepted(2, 0, 3), "nothing said committed yet");
    assertEquals(3, commit.onReadIndex(2, 7), "read index 7, but only 3 proved the leader's");
    assertEquals(5, commit.onAppendAccepted(2, 1, 5), "the remembered read index, not the append's older commit");
    assertEquals(7, commit.onAppendAccepted(2, 0, 9));
  }

  @Test
  void whatWasProvedNeverShrinksWithinATermEvenForAReorderedAppend() {
    commit.onAppendAccepted(2, 4, 6);
    assertEquals(4, commit.onAppendAccepted(2, 2, 3), "a late heartbeat proving less takes nothing back");
    assertEquals(6, commit.onReadIndex(2, 8));
  }

  @Test
  void aNewTermStartsOverAndNewsOfAnOlderTermIsIgnored() {
    commit.onAppendAccepted(2, 5, 5);
    assertEquals(0, commit.onReadIndex(3, 9), "term 3's leader proved nothing of this log yet");
    assertEquals(0, commit.onAppendAccepted(2, 9, 9), "term 2's leader says nothing of term 3's log");
    assertEquals(6, commit.onAppendAccepted(3, 4, 6), "term 3's read index 9, as far as proved");
    assertEquals(8, commit.onAppendAccepted(3, 4, 8));
  }
}
