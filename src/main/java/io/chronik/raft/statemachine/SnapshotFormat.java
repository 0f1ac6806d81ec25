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
public final class SnapshotFormat {
  private static final int VERSION = 1;
  /** The newest format version any built-in machine writes; each machine says which it reads. */
  private static final int LATEST = 2;

  private SnapshotFormat() {}

  public static CodedOutputStream begin(OutputStream out, String kind) throws IOException {
    return begin(out, kind, VERSION);
  }

  public static CodedOutputStream begin(OutputStream out, String kind, int version) throws IOException {
    CodedOutputStream coded = CodedOutputStream.newInstance(out, 64 * 1024);
    coded.writeStringNoTag(kind);
    coded.writeUInt32NoTag(version);
    return coded;
  }

  public static CodedInputStream open(InputStream in, String kind) throws IOException {
    Opened opened = openAny(in);
    if (!opened.kind().equals(kind)) {
      throw new IOException("not a " + kind + " snapshot (it is a '" + opened.kind() + "' snapshot)");
    }
    if (opened.version() != VERSION) {
      throw new IOException(kind + " snapshot of format version " + opened.version() + "; this version reads " + VERSION);
    }
    return opened.coded();
  }

  /** A snapshot's kind, and a stream positioned after its header. */
  public record Opened(String kind, int version, CodedInputStream coded) {}

  /** Opens a snapshot of whichever kind it is (for a machine that reads more than one). */
  public static Opened openAny(InputStream in) throws IOException {
    CodedInputStream coded = CodedInputStream.newInstance(in, 64 * 1024);
    coded.setSizeLimit(Integer.MAX_VALUE);
    String found = coded.readString();
    int version = coded.readUInt32();
    if (version < VERSION || version > LATEST) {
      throw new IOException(found + " snapshot of format version " + version + "; this version reads " + VERSION
          + " to " + LATEST + " (written by a newer chronik-raft? upgrade this node)");
    }
    return new Opened(found, version, coded);
  }

  /** Protobuf counts the bytes a stream has read against a 2 GiB limit; large snapshots reset it. */
  public static void keepReading(CodedInputStream coded) {
    if (coded.getTotalBytesRead() > (1 << 30)) coded.resetSizeCounter();
  }
}
