package dev.redwood.runner.shuffle;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Decodes a known number of records in the framing {@link RecordOutput} writes, from a map output's
 * partition range or a spill file. Reads through its own 64 KiB buffer, and a record's key and
 * value are handed out as slices of that buffer, so decoding allocates nothing per record.
 */
final class RecordInput implements RecordSource {
  private final InputStream in;
  private final String name;
  private final boolean withPartition;

  /** Bytes the input holds: a record claiming more is corrupt (and must not size a buffer). */
  private final long length;

  private long remaining;
  private int partition;
  private byte[] buf;
  private int pos;
  private int limit;
  private int keyOff;
  private int keyLen;
  private int valLen;
  private boolean closed;

  private RecordInput(
      InputStream in,
      String name,
      long length,
      long records,
      boolean withPartition,
      int partition) {
    this.in = in;
    this.name = name;
    this.length = length;
    // Small ranges get small buffers: a reader may hold many of them at once.
    this.buf =
        new byte[(int) Math.max(Varint.MAX_BYTES, Math.min(RecordOutput.BUFFER_SIZE, length))];
    this.remaining = records;
    this.withPartition = withPartition;
    this.partition = partition;
  }

  /** The {@code length} bytes of one partition of a data object; {@code name} appears in errors. */
  static RecordInput ofPartition(
      InputStream in, String name, long length, long records, int partition) {
    return new RecordInput(in, name, length, records, false, partition);
  }

  /** A spill file, whose records carry their partition. */
  static RecordInput ofSpillFile(InputStream in, String name, long length, long records) {
    return new RecordInput(in, name, length, records, true, -1);
  }

  @Override
  public boolean advance() throws IOException {
    if (remaining == 0) {
      return false;
    }
    remaining--;
    if (withPartition) {
      partition = readVarint();
    }
    keyLen = readVarint();
    valLen = readVarint();
    long size = (long) keyLen + valLen;
    if (size > length || size > Integer.MAX_VALUE - 16) {
      throw corrupt("a record of " + size + " bytes in " + length + " bytes");
    }
    require((int) size);
    keyOff = pos;
    pos += (int) size;
    return true;
  }

  @Override
  public int partition() {
    return partition;
  }

  @Override
  public byte[] keyBuffer() {
    return buf;
  }

  @Override
  public int keyOffset() {
    return keyOff;
  }

  @Override
  public int keyLength() {
    return keyLen;
  }

  @Override
  public byte[] valueBuffer() {
    return buf;
  }

  @Override
  public int valueOffset() {
    return keyOff + keyLen;
  }

  @Override
  public int valueLength() {
    return valLen;
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      buf = null;
      in.close();
    }
  }

  private int readVarint() throws IOException {
    if (limit - pos < Varint.MAX_BYTES) {
      return readVarintSlowly();
    }
    int value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      byte b = buf[pos++];
      value |= (b & 0x7F) << shift;
      if (b >= 0) {
        return checkLength(value);
      }
    }
    throw corrupt("varint longer than 5 bytes");
  }

  /** Near the end of the buffer: byte by byte, refilling as needed. */
  private int readVarintSlowly() throws IOException {
    int value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      require(1);
      byte b = buf[pos++];
      value |= (b & 0x7F) << shift;
      if (b >= 0) {
        return checkLength(value);
      }
    }
    throw corrupt("varint longer than 5 bytes");
  }

  private int checkLength(int value) throws IOException {
    if (value < 0) {
      throw corrupt("negative length");
    }
    return value;
  }

  /** Makes {@code n} bytes available from {@code pos}, moving the unread tail to the front. */
  private void require(int n) throws IOException {
    if (limit - pos >= n) {
      return;
    }
    int unread = limit - pos;
    if (n > buf.length) {
      byte[] bigger =
          new byte[(int) Math.min(Integer.MAX_VALUE - 16, Math.max(n, 2L * buf.length))];
      System.arraycopy(buf, pos, bigger, 0, unread);
      buf = bigger;
    } else {
      System.arraycopy(buf, pos, buf, 0, unread);
    }
    pos = 0;
    limit = unread;
    while (limit < n) {
      int read = in.read(buf, limit, buf.length - limit);
      if (read < 0) {
        throw new EOFException(
            "Shuffle data '" + name + "' ends early: " + (remaining + 1) + " record(s) missing");
      }
      limit += read;
    }
  }

  private IOException corrupt(String what) {
    return new IOException("Corrupt shuffle data '" + name + "': " + what);
  }
}
