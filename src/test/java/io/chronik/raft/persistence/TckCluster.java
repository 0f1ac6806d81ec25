package io.chronik.raft.persistence;

import akka.actor.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.journal.JournalSpec$;
import akka.persistence.snapshot.SnapshotStoreSpec$;
import com.typesafe.config.ConfigRenderOptions;
import io.chronik.raft.cluster.TestCluster;
import java.util.List;

/**
 * The three-node chronik cluster (real Artery, LevelDB, in this JVM) that Akka's plugin TCK runs
 * against: its specs use node n1's ActorSystem, whose journal and snapshot store are chronik's,
 * on a journal topic of 4 partitions replicated on all three nodes.
 */
final class TckCluster {
  private static TestCluster cluster;

  private TckCluster() {}

  static synchronized TestCluster get() {
    if (cluster == null) {
      try {
        cluster = TestCluster.start(List.of("n1", "n2", "n3"),
            "[{ name = akka-journal, partitions = 4, replication-factor = 3, state-machine = journal }]",
            String.join("\n",
                "akka.persistence.journal.plugin = \"chronik.persistence.journal\"",
                "akka.persistence.snapshot-store.plugin = \"chronik.persistence.snapshot-store\"",
                // The TCK's own settings (its test serializer, plugin commands published for its probes).
                render(JournalSpec$.MODULE$.config()),
                render(SnapshotStoreSpec$.MODULE$.config())));
      } catch (Exception e) {
        throw new IllegalStateException("the TCK's chronik cluster did not start: " + e, e);
      }
    }
    return cluster;
  }

  static ActorSystem system() {
    return Adapter.toClassic(get().kit(0).system());
  }

  static synchronized void close() throws Exception {
    if (cluster != null) cluster.close();
    cluster = null;
  }

  /** The config's keys as HOCON lines (a rendered root object's braces dropped). */
  private static String render(com.typesafe.config.Config c) {
    String object = c.root().render(ConfigRenderOptions.concise());
    return object.substring(1, object.length() - 1);
  }
}
