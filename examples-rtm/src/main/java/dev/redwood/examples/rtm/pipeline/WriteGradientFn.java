package dev.redwood.examples.rtm.pipeline;

import dev.redwood.examples.rtm.fwi.MisfitGradient;
import dev.redwood.examples.rtm.io.Storage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Writes the survey's misfit and gradient to one file (in {@link MisfitGradientCoder}'s format),
 * where the driver's optimiser picks it up after the pipeline.
 */
public final class WriteGradientFn extends DoFn<MisfitGradient, String> {
  private static final long serialVersionUID = 1L;

  private final String path;

  public WriteGradientFn(String path) {
    this.path = path;
  }

  @ProcessElement
  public void process(@Element MisfitGradient sum, OutputReceiver<String> out) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    MisfitGradientCoder.of().encode(sum, bytes);
    Storage.write(path, bytes.toByteArray());
    out.output(path);
  }

  /** Reads what {@link #process} wrote. */
  public static MisfitGradient read(String path) throws IOException {
    return MisfitGradientCoder.of().decode(new java.io.ByteArrayInputStream(Storage.read(path)));
  }
}
