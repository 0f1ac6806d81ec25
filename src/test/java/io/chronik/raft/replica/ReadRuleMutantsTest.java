package io.chronik.raft.replica;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opentest4j.AssertionFailedError;

/**
 * Mutation testing of the read rules: each deliberate breakage ({@link ReadRuleMutant}) must make
 * a read transcript fail — the transcript that pins the rule, with the message it would have sent.
 */
class ReadRuleMutantsTest {
  @AfterEach
  void restore() {
    ReadRuleMutant.active = ReadRuleMutant.NONE;
  }

  @ParameterizedTest
  @CsvSource({
      "SHORTCUT_IN_ANY_GROUP, 02-follower-read-five-nodes.txt",
      "STALE_TERM_REQUEST_ANSWERED, 06-stale-term-request-refused.txt",
      "FORWARDED_READ_UNCONFIRMED, 10-forwarded-read-five-nodes.txt"})
  void eachBrokenReadRuleFailsItsTranscript(ReadRuleMutant mutant, String transcript) throws Exception {
    ReadTranscriptTest.run(ReadTranscriptTest.DIR.resolve(transcript)); // passes with the rules intact
    ReadRuleMutant.active = mutant;
    AssertionFailedError caught = assertThrows(AssertionFailedError.class,
        () -> ReadTranscriptTest.run(ReadTranscriptTest.DIR.resolve(transcript)), mutant + " went unnoticed");
    assertTrue(caught.getMessage().contains("actual:"), caught.getMessage());
  }
}
