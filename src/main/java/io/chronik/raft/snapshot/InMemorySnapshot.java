package io.chronik.raft.snapshot;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** A snapshot held in memory: for tests, the simulation, and journals without a file system of their own. */
public record InMemorySnapshot(SnapshotMeta meta, ByteString bytes) implements SnapshotData {
  /** Writes {@code state} into memory. */
  public static InMemorySnapshot of(SnapshotMeta meta, StateSnapshot state) {
    ByteString.Output out = ByteString.newOutput();
    try {
      state.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + meta + " to memory", e);
    }
    return new InMemorySnapshot(meta, out.toByteString());
  }

  @Override
  public long size() {
    return bytes.size();
  }

  @Override
  public ByteString read(long offset, int maxBytes) {
    int from = (int) Math.min(offset, bytes.size());
    return bytes.substring(from, (int) Math.min(bytes.size(), (long) from + maxBytes));
  }

  @Override
  public InputStream open() {
    return bytes.newInput();
  }
}
