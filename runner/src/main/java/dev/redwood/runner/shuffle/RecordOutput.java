package dev.redwood.runner.shuffle;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Encodes records in the shuffle framing: {@code [varint partition] varint keyLength, varint
 * valueLength, key bytes, value bytes}. Data objects leave the partition out (the index says where
 * each partition starts); local spill files keep it.
 *
 * <p>Buffers itself (64 KiB) instead of stacking BufferedOutputStream and DataOutputStream, so that
 * a record costs a few array stores rather than several synchronized stream calls.
 */
final class RecordOutput implements Closeable {
  static final int BUFFER_SIZE = 1 << 16;

  private final OutputStream out;
  private final boolean withPartition;
  private final byte[] buf = new byte[BUFFER_SIZE];
  private int pos;
  private long flushed;
  private long records;

  RecordOutput(OutputStream out, boolean withPartition) {
    this.out = out;
    this.withPartition = withPartition;
  }

  void write(RecordSource r) throws IOException {
    write(
        r.partition(),
        r.keyBuffer(),
        r.keyOffset(),
        r.keyLength(),
        r.valueBuffer(),
        r.valueOffset(),
        r.valueLength());
  }

  void write(
      int partition, byte[] key, int keyOff, int keyLen, byte[] value, int valOff, int valLen)
      throws IOException {
    if (buf.length - pos < 3 * Varint.MAX_BYTES) {
      flushBuffer();
    }
    if (withPartition) {
      pos = Varint.put(buf, pos, partition);
    }
    pos = Varint.put(buf, pos, keyLen);
    pos = Varint.put(buf, pos, valLen);
    writeBytes(key, keyOff, keyLen);
    writeBytes(value, valOff, valLen);
    records++;
  }

  /** Bytes written so far, buffered ones included: the offset the next record starts at. */
  long position() {
    return flushed + pos;
  }

  long records() {
    return records;
  }

  /** Flushes and closes the stream; for a blob store stream this publishes the object. */
  @Override
  public void close() throws IOException {
    try (out) {
      flushBuffer();
    }
  }

  private void writeBytes(byte[] b, int off, int len) throws IOException {
    if (len <= buf.length - pos) {
      System.arraycopy(b, off, buf, pos, len);
      pos += len;
      return;
    }
    flushBuffer();
    if (len >= buf.length) {
      out.write(b, off, len);
      flushed += len;
    } else {
      System.arraycopy(b, off, buf, 0, len);
      pos = len;
    }
  }

  private void flushBuffer() throws IOException {
    if (pos > 0) {
      out.write(buf, 0, pos);
      flushed += pos;
      pos = 0;
    }
  }
}
