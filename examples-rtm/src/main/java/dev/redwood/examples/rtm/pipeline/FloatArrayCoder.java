package dev.redwood.examples.rtm.pipeline;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;

/**
 * Coder of float arrays (images, gradients) for the shuffle: the length, then the values as
 * little-endian float32 written in bulk. Beam has no float[] coder of its own, and a serialized
 * Java array would cost a class descriptor per element.
 */
public final class FloatArrayCoder extends AtomicCoder<float[]> {
  private static final long serialVersionUID = 1L;
  private static final FloatArrayCoder INSTANCE = new FloatArrayCoder();

  private FloatArrayCoder() {}

  public static FloatArrayCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(float[] value, OutputStream out) throws IOException {
    if (value == null) {
      throw new CoderException("cannot encode a null float array");
    }
    new DataOutputStream(out).writeInt(value.length);
    ByteBuffer bytes =
        ByteBuffer.allocate(value.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(value);
    out.write(bytes.array());
  }

  @Override
  public float[] decode(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int length = data.readInt();
    if (length < 0) {
      throw new CoderException("negative float array length " + length);
    }
    byte[] bytes = new byte[length * Float.BYTES];
    data.readFully(bytes);
    float[] value = new float[length];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(value);
    return value;
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return false;
  }
}
