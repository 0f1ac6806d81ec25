package io.chronik.raft.persistence;

import akka.actor.ActorSystem;
import akka.persistence.CapabilityFlag;
import akka.persistence.japi.journal.JavaJournalSpec;
import com.typesafe.config.ConfigFactory;

/** Akka's journal TCK against chronik's journal, every optional capability on. */
public class ChronikJournalSpec extends JavaJournalSpec {
  public ChronikJournalSpec() {
    super(ConfigFactory.empty());
  }

  @Override
  public ActorSystem system() {
    return TckCluster.system();
  }

  @Override
  public CapabilityFlag supportsRejectingNonSerializableObjects() {
    return CapabilityFlag.on();
  }

  @Override
  public CapabilityFlag supportsSerialization() {
    return CapabilityFlag.on();
  }

  @Override
  public CapabilityFlag supportsMetadata() {
    return CapabilityFlag.on();
  }

  /** The cluster outlives this spec (the snapshot store's runs on it too); the JUnit test stops it. */
  @Override
  public void afterAll() {}
}
