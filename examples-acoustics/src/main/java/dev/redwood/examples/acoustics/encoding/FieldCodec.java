package dev.redwood.examples.acoustics.encoding;

import java.io.ByteArrayOutputStream;

/**
 * Delta-codes one quantised field over the bake's cell grid, the way PNG filters an image before
 * compressing it: each present value is predicted from its left, upper and upper-left neighbours
 * (the median edge detector: the median of left, up and left + up - upper-left, which follows edges
 * such as walls) and only the difference is written, as a zig-zag varint. Smooth fields leave small
 * differences, which the compressor that follows squeezes well.
 *
 * <p>Absent cells (the sound does not reach them, or a time was not measured) are skipped; the
 * presence mask is stored separately, and encoder and decoder predict from the same present
 * neighbours. A circular field (directions) wraps its differences around its modulus.
 */
final class FieldCodec {
  private FieldCodec() {}

  /** Writes the differences of {@code values} where {@code present}, in reading order. */
  static void encode(
      int[] values, boolean[] present, int columns, int modulus, ByteArrayOutputStream out) {
    for (int i = 0; i < values.length; i++) {
      if (!present[i]) {
        continue;
      }
      int residual = values[i] - predict(values, present, columns, i);
      if (modulus > 0) {
        residual = wrap(residual, modulus);
      }
      writeVarint(out, (residual << 1) ^ (residual >> 31));
    }
  }

  /** Reads what {@link #encode} wrote; fills {@code values} where {@code present}. */
  static int decode(
      byte[] data, int offset, int[] values, boolean[] present, int columns, int modulus) {
    int[] position = {offset};
    for (int i = 0; i < values.length; i++) {
      if (!present[i]) {
        continue;
      }
      int zigzag = readVarint(data, position);
      int residual = (zigzag >>> 1) ^ -(zigzag & 1);
      int value = predict(values, present, columns, i) + residual;
      values[i] = modulus > 0 ? Math.floorMod(value, modulus) : value;
    }
    return position[0];
  }

  private static int predict(int[] values, boolean[] present, int columns, int i) {
    int x = i % columns;
    boolean hasLeft = x > 0 && present[i - 1];
    boolean hasUp = i >= columns && present[i - columns];
    boolean hasCorner = hasLeft && hasUp && present[i - columns - 1];
    if (hasCorner) {
      int a = values[i - 1];
      int b = values[i - columns];
      int c = values[i - columns - 1];
      // Median edge detector.
      if (c >= Math.max(a, b)) {
        return Math.min(a, b);
      }
      if (c <= Math.min(a, b)) {
        return Math.max(a, b);
      }
      return a + b - c;
    }
    if (hasLeft) {
      return values[i - 1];
    }
    if (hasUp) {
      return values[i - columns];
    }
    // The last present value before this one in reading order, if any.
    for (int j = i - 1; j >= 0; j--) {
      if (present[j]) {
        return values[j];
      }
    }
    return 0;
  }

  private static int wrap(int residual, int modulus) {
    int r = Math.floorMod(residual, modulus);
    return r >= modulus / 2 ? r - modulus : r;
  }

  static void writeVarint(ByteArrayOutputStream out, int value) {
    while ((value & ~0x7f) != 0) {
      out.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }

  static int readVarint(byte[] data, int[] position) {
    int value = 0;
    int shift = 0;
    while (true) {
      if (position[0] >= data.length) {
        throw new IllegalArgumentException("truncated probe data");
      }
      int b = data[position[0]++] & 0xff;
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
      shift += 7;
      if (shift > 28) {
        throw new IllegalArgumentException("corrupt varint in probe data");
      }
    }
  }

  /** Packs a mask into bits, 8 cells per byte. */
  static void writeMask(boolean[] mask, ByteArrayOutputStream out) {
    for (int i = 0; i < mask.length; i += 8) {
      int b = 0;
      for (int k = 0; k < 8 && i + k < mask.length; k++) {
        b |= mask[i + k] ? 1 << k : 0;
      }
      out.write(b);
    }
  }

  static int readMask(byte[] data, int offset, boolean[] mask) {
    int bytes = (mask.length + 7) / 8;
    if (offset + bytes > data.length) {
      throw new IllegalArgumentException("truncated probe data");
    }
    for (int i = 0; i < mask.length; i++) {
      mask[i] = (data[offset + i / 8] & (1 << (i % 8))) != 0;
    }
    return offset + bytes;
  }
}
