package dev.redwood.examples.rtm.pipeline;

import dev.redwood.examples.rtm.fwi.MisfitGradient;
import dev.redwood.examples.rtm.fwi.ShotGradient;
import dev.redwood.examples.rtm.io.SegyFormat;
import dev.redwood.examples.rtm.io.Storage;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.survey.ShotRecord;
import dev.redwood.examples.rtm.wave.Medium;
import java.io.IOException;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * One shot's FWI misfit and gradient in the current model, from its observed SEG-Y record. The
 * damping field of the sponge is fixed for the whole inversion and travels with the DoFn.
 */
public final class ShotGradientFn extends DoFn<String, MisfitGradient> {
  private static final long serialVersionUID = 1L;

  private final VelocityModel model;
  private final int sponge;
  private final float[] damping;
  private final double peakFrequency;
  private final Counter shots = Metrics.counter(ShotGradientFn.class, "gradients");

  public ShotGradientFn(VelocityModel model, int sponge, float[] damping, double peakFrequency) {
    this.model = model;
    this.sponge = sponge;
    this.damping = damping;
    this.peakFrequency = peakFrequency;
  }

  @ProcessElement
  public void process(@Element String recordPath, OutputReceiver<MisfitGradient> out)
      throws IOException {
    ShotRecord observed = SegyFormat.decode(Storage.read(recordPath));
    Medium medium = Medium.withDamping(model, sponge, observed.time(), damping);
    out.output(ShotGradient.of(medium, observed, peakFrequency));
    shots.inc();
  }
}
