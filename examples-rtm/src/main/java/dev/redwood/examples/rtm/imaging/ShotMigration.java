package dev.redwood.examples.rtm.imaging;

import dev.redwood.examples.rtm.survey.ShotGeometry;
import dev.redwood.examples.rtm.survey.ShotRecord;
import dev.redwood.examples.rtm.wave.GridPoints;
import dev.redwood.examples.rtm.wave.Medium;
import dev.redwood.examples.rtm.wave.PaddedGrid;
import dev.redwood.examples.rtm.wave.Propagator;
import dev.redwood.examples.rtm.wave.RickerWavelet;

/**
 * Reverse-time migration of one shot record in a background (smooth) velocity model. The direct
 * wave is removed by migrating the residual: the observed record minus the record the background
 * model predicts, which holds the direct wave (the background has the right near-surface velocity)
 * but hardly any reflections (it has no sharp contrasts). The image is optionally divided by the
 * shot's source illumination, which balances shallow and deep parts and the shots against each
 * other.
 */
public final class ShotMigration {

  /**
   * Stabilises the illumination division where the source wavefield is weak: the divisor is
   * illumination + this fraction of its maximum.
   */
  public static final float ILLUMINATION_FLOOR = 1e-3f;

  private ShotMigration() {}

  /** The shot's image over the physical grid (depth fastest). */
  public static float[] image(
      Medium background,
      ShotRecord observed,
      double peakFrequency,
      boolean normaliseByIllumination) {
    if (!observed.time().equals(background.time())) {
      throw new IllegalArgumentException(
          "record time axis "
              + observed.time()
              + " differs from the medium's "
              + background.time());
    }
    ShotGeometry g = observed.geometry();
    Propagator propagator = new Propagator(background);
    GridPoints source = background.points(new double[] {g.sourceX()}, new double[] {g.sourceZ()});
    GridPoints receivers = background.points(g.receiverX(), g.receiverZ());
    float[] wavelet = RickerWavelet.sampled(background.time(), peakFrequency);

    Migration migration = new Migration(propagator, source, wavelet, receivers);
    float[] predicted = migration.forward();
    float[] residual = observed.samples().clone();
    for (int i = 0; i < residual.length; i++) {
      residual[i] -= predicted[i];
    }
    ImagingCondition imaging = migration.backward(residual);
    PaddedGrid grid = background.grid();
    float[] image = grid.crop(imaging.image());
    if (normaliseByIllumination) {
      divideByIllumination(image, grid.crop(imaging.illumination()));
    }
    return image;
  }

  static void divideByIllumination(float[] image, float[] illumination) {
    float max = 0;
    for (float v : illumination) {
      max = Math.max(max, v);
    }
    float floor = ILLUMINATION_FLOOR * max;
    if (max == 0) {
      return;
    }
    for (int i = 0; i < image.length; i++) {
      image[i] /= illumination[i] + floor;
    }
  }
}
