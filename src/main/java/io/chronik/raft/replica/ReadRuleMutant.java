package io.chronik.raft.replica;

/**
 * Deliberate breakages of the read rules, for mutation testing only: a test switches one on and
 * shows that the read transcripts or the simulation catch it. Never set outside tests; the
 * default {@link #NONE} leaves every rule intact.
 */
enum ReadRuleMutant {
  NONE,
  /** The three-node shortcut (a follower's request as the second acknowledgement) in any group size. */
  SHORTCUT_IN_ANY_GROUP,
  /** A ReadIndex request of an earlier term is answered as if it were of this term. */
  STALE_TERM_REQUEST_ANSWERED,
  /** A leader serves a read forwarded under {@code none} without confirming its leadership. */
  FORWARDED_READ_UNCONFIRMED;

  /** The mutant in force (tests only, one at a time; tests of the read rules run sequentially). */
  static volatile ReadRuleMutant active = NONE;
}
