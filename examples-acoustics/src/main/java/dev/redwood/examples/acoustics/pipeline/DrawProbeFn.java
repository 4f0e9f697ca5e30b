package dev.redwood.examples.acoustics.pipeline;

import dev.redwood.examples.acoustics.BakeSettings;
import dev.redwood.examples.acoustics.encoding.ProbeEncoder;
import dev.redwood.examples.acoustics.parameters.ProbeField;
import dev.redwood.examples.acoustics.pictures.ProbeMaps;
import java.io.IOException;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Draws the maps of a chosen probe and writes them as PNG files. It decodes the probe's encoded
 * fields first, so the pictures show what the bake holds, quantisation included.
 */
public final class DrawProbeFn extends DoFn<BakedProbe, String> {
  /** Picture resolution. */
  public static final double PIXELS_PER_METRE = 20;

  private final BakeSettings settings;
  private final String outputDirectory;

  public DrawProbeFn(BakeSettings settings, String outputDirectory) {
    this.settings = settings;
    this.outputDirectory = outputDirectory;
  }

  @ProcessElement
  public void process(@Element BakedProbe baked, OutputReceiver<String> out) throws IOException {
    ProbeField field = ProbeEncoder.decode(baked.encoded(), settings.cells());
    ProbeMaps maps = new ProbeMaps(settings.plan(), settings.cells(), PIXELS_PER_METRE);
    String prefix = String.format("probe-%04d-", baked.probe().id());
    write(prefix + "loudness.png", maps.loudness(baked.probe(), field), out);
    write(prefix + "decay.png", maps.decay(baked.probe(), field), out);
    write(prefix + "arrival.png", maps.arrival(baked.probe(), field), out);
  }

  private void write(String name, byte[] png, OutputReceiver<String> out) throws IOException {
    OutputFiles.write(outputDirectory, name, "image/png", png);
    out.output(name);
  }
}
