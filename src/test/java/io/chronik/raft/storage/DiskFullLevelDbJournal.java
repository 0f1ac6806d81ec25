package io.chronik.raft.storage;

import akka.dispatch.Futures;
import akka.persistence.AtomicWrite;
import akka.persistence.journal.leveldb.LeveldbJournal;
import com.typesafe.config.Config;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import scala.collection.immutable.Seq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * The embedded LevelDB journal, whose writes for the persistence ids in {@link #FULL} fail as on
 * a full disk: nothing reaches LevelDB and the write's future fails, the way the plugin reports an
 * {@code IOException} from LevelDB. (LevelDB opens its files itself, so the fault is injected at
 * the plugin's write, not under it; LevelDB's own log already drops a torn batch on reopening.)
 * Akka instantiates the plugin, hence the static registry, keyed by persistence id.
 */
public final class DiskFullLevelDbJournal extends LeveldbJournal {
  static final Set<String> FULL = ConcurrentHashMap.newKeySet();
  private static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();

  public DiskFullLevelDbJournal(Config config) {
    super(config);
  }

  static int failures(String persistenceId) {
    return FAILURES.computeIfAbsent(persistenceId, id -> new AtomicInteger()).get();
  }

  @Override
  public Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    for (AtomicWrite w : CollectionConverters.asJava(messages)) {
      if (FULL.contains(w.persistenceId())) {
        FAILURES.computeIfAbsent(w.persistenceId(), id -> new AtomicInteger()).incrementAndGet();
        return Futures.failed(new IOException("No space left on device"));
      }
    }
    return super.asyncWriteMessages(messages);
  }
}
