package io.chronik.raft.records;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * How a batch of records lies in a segment, Kafka-like: a length, a CRC32C over everything after
 * it, the first record's offset, the record count, the append time, then each record as a
 * length and its bytes.
 *
 * <pre>
 * int32 length | int32 crc32c | int64 base offset | int32 count | int64 append time ms | (int32 size, bytes) * count
 * </pre>
 */
final class RecordBatch {
  /** Length and CRC: the part the length does not count. */
  static final int PREFIX = 8;
  static final int HEADER = PREFIX + 8 + 4 + 8;

  private RecordBatch() {}

  static int encodedSize(List<ByteString> records) {
    int size = HEADER;
    for (ByteString r : records) size += 4 + r.size();
    return size;
  }

  static ByteBuffer encode(long baseOffset, List<ByteString> records, long appendTimeMs) {
    int size = encodedSize(records);
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putInt(size - PREFIX).putInt(0).putLong(baseOffset).putInt(records.size()).putLong(appendTimeMs);
    for (ByteString r : records) {
      b.putInt(r.size());
      r.copyTo(b);
    }
    b.putInt(4, crc(b.array(), PREFIX, size - PREFIX));
    return b.flip();
  }

  static int crc(byte[] bytes, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }

  /** The header of the batch at the start of {@code b} (which holds at least {@link #HEADER} bytes). */
  record Header(int length, int crc, long baseOffset, int count, long appendTimeMs) {
    static Header parse(ByteBuffer b, int at) {
      return new Header(b.getInt(at), b.getInt(at + 4), b.getLong(at + 8), b.getInt(at + 16), b.getLong(at + 20));
    }

    long endOffset() {
      return baseOffset + count;
    }

    /** The whole batch's size in the segment. */
    int size() {
      return PREFIX + length;
    }

    boolean plausible(long expectedBase) {
      return length >= HEADER - PREFIX && count >= 0 && baseOffset == expectedBase;
    }
  }
}
