package dev.redwood.runner.shuffle;

/**
 * Unsigned LEB128 encoding of non-negative ints: the length fields of the record framing. Keys and
 * values in a shuffle are mostly tiny, so a one-byte length beats a fixed four-byte one.
 */
final class Varint {
  /** The most bytes one int takes. */
  static final int MAX_BYTES = 5;

  private Varint() {}

  /** Writes {@code value} at {@code pos} and returns the position after it. */
  static int put(byte[] buf, int pos, int value) {
    while ((value & ~0x7F) != 0) {
      buf[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buf[pos++] = (byte) value;
    return pos;
  }

  static int size(int value) {
    int size = 1;
    while ((value & ~0x7F) != 0) {
      value >>>= 7;
      size++;
    }
    return size;
  }
}
