package dev.redwood.examples.rtm.wave;

import dev.redwood.examples.rtm.model.LayeredModel;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.survey.Acquisition;
import dev.redwood.examples.rtm.survey.ShotModelling;
import dev.redwood.examples.rtm.survey.ShotRecord;

/**
 * Run by {@link VectorFallbackTest} in a JVM started without the Vector API module: prints the
 * kernel it got and the peak of a small shot record.
 */
public final class FallbackProbe {

  private FallbackProbe() {}

  public static void main(String[] args) {
    VelocityModel model = LayeredModel.twoLayers(40, 40, 10, 250, 1500f, 2500f);
    TimeAxis time = TimeAxis.forModel(model.max(), 10, 0.4, 0.9);
    ShotRecord record =
        ShotModelling.record(
            Medium.of(model, 10, time), new Acquisition(1, 20, 20, 10).shotsOver(model).get(0), 15);
    float peak = 0;
    for (float v : record.samples()) {
      peak = Math.max(peak, Math.abs(v));
    }
    System.out.println("kernel=" + StencilKernels.best().name() + " peak=" + peak);
  }
}
