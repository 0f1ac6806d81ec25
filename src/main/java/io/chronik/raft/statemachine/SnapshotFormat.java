package io.chronik.raft.statemachine;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The framing the built-in state machines share for their snapshots: a kind tag and a format
 * version, then the machine's own fields as protobuf varints and length-prefixed bytes.
 */
final class SnapshotFormat {
  private static final int VERSION = 1;

  private SnapshotFormat() {}

  static CodedOutputStream begin(OutputStream out, String kind) throws IOException {
    CodedOutputStream coded = CodedOutputStream.newInstance(out, 64 * 1024);
    coded.writeStringNoTag(kind);
    coded.writeUInt32NoTag(VERSION);
    return coded;
  }

  static CodedInputStream open(InputStream in, String kind) throws IOException {
    CodedInputStream coded = CodedInputStream.newInstance(in, 64 * 1024);
    coded.setSizeLimit(Integer.MAX_VALUE);
    String found = coded.readString();
    if (!found.equals(kind)) {
      throw new IOException("not a " + kind + " snapshot (it is a '" + found + "' snapshot)");
    }
    int version = coded.readUInt32();
    if (version != VERSION) {
      throw new IOException(kind + " snapshot of format version " + version + "; this version reads " + VERSION);
    }
    return coded;
  }

  /** Protobuf counts the bytes a stream has read against a 2 GiB limit; large snapshots reset it. */
  static void keepReading(CodedInputStream coded) {
    if (coded.getTotalBytesRead() > (1 << 30)) coded.resetSizeCounter();
  }
}
