package io.chronik.raft.persistence;

import akka.actor.ActorSystem;
import akka.persistence.CapabilityFlag;
import akka.persistence.japi.snapshot.JavaSnapshotStoreSpec;
import com.typesafe.config.ConfigFactory;

/** Akka's snapshot store TCK against chronik's snapshot store, every optional capability on. */
public class ChronikSnapshotStoreSpec extends JavaSnapshotStoreSpec {
  public ChronikSnapshotStoreSpec() {
    super(ConfigFactory.empty());
  }

  @Override
  public ActorSystem system() {
    return TckCluster.system();
  }

  @Override
  public CapabilityFlag supportsSerialization() {
    return CapabilityFlag.on();
  }

  @Override
  public CapabilityFlag supportsMetadata() {
    return CapabilityFlag.on();
  }

  @Override
  public void afterAll() {}
}
