package dev.redwood.examples.rtm.pipeline;

import dev.redwood.examples.rtm.fwi.MisfitGradient;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;

/** Coder of {@link MisfitGradient}: shots, misfit (float64), then the gradient's floats. */
public final class MisfitGradientCoder extends AtomicCoder<MisfitGradient> {
  private static final long serialVersionUID = 1L;
  private static final MisfitGradientCoder INSTANCE = new MisfitGradientCoder();

  private MisfitGradientCoder() {}

  public static MisfitGradientCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(MisfitGradient value, OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(value.shots());
    data.writeDouble(value.misfit());
    data.flush();
    FloatArrayCoder.of().encode(value.gradient(), out);
  }

  @Override
  public MisfitGradient decode(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int shots = data.readInt();
    double misfit = data.readDouble();
    return new MisfitGradient(misfit, FloatArrayCoder.of().decode(in), shots);
  }

  @Override
  public void verifyDeterministic() {}
}
