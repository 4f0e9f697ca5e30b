package dev.redwood.examples.rtm.io;

import dev.redwood.examples.rtm.model.VelocityModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Raw float32 binary grids, the plainest exchange format of seismic models and images (Madagascar,
 * SEP and most codes write them): nz * nx values with depth fastest (each lateral position's column
 * of depths in turn), no header, so the dimensions come from elsewhere. Little-endian by default
 * (what x86 writes); big-endian files from older systems are read with {@code
 * ByteOrder.BIG_ENDIAN}.
 */
public final class Float32Grid {

  private Float32Grid() {}

  public static byte[] encode(float[] values, ByteOrder order) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(order);
    bytes.asFloatBuffer().put(values);
    return bytes.array();
  }

  public static float[] decode(byte[] bytes, ByteOrder order) {
    if (bytes.length % Float.BYTES != 0) {
      throw new IllegalArgumentException(
          "a float32 grid has a multiple of 4 bytes, this one " + bytes.length);
    }
    float[] values = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(order).asFloatBuffer().get(values);
    return values;
  }

  public static void write(String path, float[] values, ByteOrder order) throws IOException {
    Storage.write(path, encode(values, order));
  }

  public static float[] read(String path, ByteOrder order) throws IOException {
    return decode(Storage.read(path), order);
  }

  /**
   * A velocity model from a grid file of {@code nz} depth samples: nx follows from the file size.
   * Values are multiplied by {@code toMetresPerSecond} (1000 for files in km/s).
   */
  public static VelocityModel readModel(
      String path, int nz, double spacing, ByteOrder order, double toMetresPerSecond)
      throws IOException {
    float[] values = read(path, order);
    if (nz < 1 || values.length % nz != 0) {
      throw new IllegalArgumentException(
          path + " holds " + values.length + " values, not a whole number of columns of " + nz);
    }
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (values[i] * toMetresPerSecond);
    }
    return new VelocityModel(nz, values.length / nz, spacing, values);
  }

  public static void writeModel(String path, VelocityModel model, ByteOrder order)
      throws IOException {
    write(path, model.values(), order);
  }
}
