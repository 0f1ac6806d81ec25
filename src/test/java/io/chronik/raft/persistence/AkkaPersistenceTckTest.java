package io.chronik.raft.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.scalatest.Args;
import org.scalatest.Reporter;
import org.scalatest.Status;
import org.scalatest.Suite;
import org.scalatest.events.TestCanceled;
import org.scalatest.events.TestFailed;
import org.scalatest.events.TestIgnored;
import org.scalatest.events.TestSucceeded;

/**
 * Runs Akka's own Persistence plugin TCK (ScalaTest suites from akka-persistence-tck) against a
 * three-node chronik cluster in this JVM, and fails on any failed, canceled or ignored TCK test,
 * or when fewer tests ran than the TCK has: every one must pass.
 */
@Tag("cluster")
class AkkaPersistenceTckTest {
  @AfterAll
  static void stopCluster() throws Exception {
    TckCluster.close();
  }

  @Test
  void chronikJournalPassesAkkasJournalTck() {
    // JournalSpec 2.6.21: 14 required tests, and 3 optional ones, all turned on here.
    assertAllPass(new ChronikJournalSpec(), 17);
  }

  @Test
  void chronikSnapshotStorePassesAkkasSnapshotStoreTck() {
    // SnapshotStoreSpec 2.6.21: 11 required tests, and 2 optional ones, both turned on here.
    assertAllPass(new ChronikSnapshotStoreSpec(), 13);
  }

  private static void assertAllPass(Suite spec, int expectedTests) {
    List<String> passed = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Reporter reporter = event -> {
      if (event instanceof TestSucceeded s) {
        passed.add(s.testName());
      } else if (event instanceof TestFailed f) {
        problems.add("FAILED " + f.testName() + ": " + f.message()
            + (f.throwable().isDefined() ? " (" + f.throwable().get() + ")" : ""));
      } else if (event instanceof TestCanceled c) {
        problems.add("CANCELED " + c.testName() + ": " + c.message());
      } else if (event instanceof TestIgnored i) {
        problems.add("IGNORED " + i.testName());
      }
    };
    Status status = spec.run(scala.Option.empty(), Args.apply(reporter, Args.apply$default$2(), Args.apply$default$3(),
        Args.apply$default$4(), Args.apply$default$5(), Args.apply$default$6(), Args.apply$default$7(),
        Args.apply$default$8(), Args.apply$default$9(), Args.apply$default$10()));
    status.waitUntilCompleted();
    passed.forEach(t -> System.out.println(spec.suiteName() + " passed: " + t));
    assertEquals(List.of(), problems, spec.suiteName());
    assertTrue(status.succeeds(), spec.suiteName() + " did not succeed");
    assertEquals(expectedTests, passed.size(), spec.suiteName() + " ran other tests than expected: " + passed);
  }
}
