package dev.redwood.examples.rtm.fwi;

import dev.redwood.examples.rtm.imaging.ImagingCondition;
import dev.redwood.examples.rtm.imaging.Migration;
import dev.redwood.examples.rtm.survey.ShotGeometry;
import dev.redwood.examples.rtm.survey.ShotRecord;
import dev.redwood.examples.rtm.wave.GridPoints;
import dev.redwood.examples.rtm.wave.Medium;
import dev.redwood.examples.rtm.wave.Propagator;
import dev.redwood.examples.rtm.wave.RickerWavelet;

/**
 * The full-waveform-inversion misfit of one shot and its gradient, by the adjoint-state method:
 * J(m) = 1/2 ||P u(m) - d||^2; its gradient is the migration of the data residual P u - d (the
 * adjoint of Born modelling applied to it), one forward and one adjoint run (plus the checkpoint
 * replay) whatever the number of model cells.
 *
 * <p>The padded model continues the physical one into the sponge, so a physical cell at the edge
 * also sets the sponge cells beyond it; the padded gradient is folded back onto the physical cells
 * with the adjoint of that continuation, making this the exact derivative of J with respect to the
 * physical squared slowness (given a fixed damping field).
 */
public final class ShotGradient {

  private ShotGradient() {}

  public static MisfitGradient of(Medium medium, ShotRecord observed, double peakFrequency) {
    if (!observed.time().equals(medium.time())) {
      throw new IllegalArgumentException(
          "record time axis " + observed.time() + " differs from the medium's " + medium.time());
    }
    ShotGeometry g = observed.geometry();
    Propagator propagator = new Propagator(medium);
    GridPoints source = medium.points(new double[] {g.sourceX()}, new double[] {g.sourceZ()});
    GridPoints receivers = medium.points(g.receiverX(), g.receiverZ());
    float[] wavelet = RickerWavelet.sampled(medium.time(), peakFrequency);
    Migration migration = new Migration(propagator, source, wavelet, receivers);
    float[] residual = migration.forward();
    float[] d = observed.samples();
    double misfit = 0;
    for (int i = 0; i < residual.length; i++) {
      residual[i] -= d[i];
      misfit += 0.5 * (double) residual[i] * residual[i];
    }
    ImagingCondition imaging = migration.backward(residual);
    return new MisfitGradient(misfit, medium.grid().extendAdjoint(imaging.image()), 1);
  }

  /** The misfit alone (one forward run). */
  public static double misfit(Medium medium, ShotRecord observed, double peakFrequency) {
    ShotGeometry g = observed.geometry();
    Propagator propagator = new Propagator(medium);
    GridPoints source = medium.points(new double[] {g.sourceX()}, new double[] {g.sourceZ()});
    GridPoints receivers = medium.points(g.receiverX(), g.receiverZ());
    float[] predicted =
        propagator.forward(
            source, RickerWavelet.sampled(medium.time(), peakFrequency), receivers, null);
    float[] d = observed.samples();
    double misfit = 0;
    for (int i = 0; i < predicted.length; i++) {
      double r = predicted[i] - d[i];
      misfit += 0.5 * r * r;
    }
    return misfit;
  }
}
