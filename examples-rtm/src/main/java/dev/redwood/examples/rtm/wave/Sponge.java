package dev.redwood.examples.rtm.wave;

/**
 * The absorbing boundary: a damping layer (sponge) of {@code width} cells around the model where
 * the wave equation gets a term eta u_t. The damping rate grows quadratically from zero at the
 * inner edge, so the wave sees no abrupt change to reflect from, and is scaled with the local
 * velocity so slow and fast waves are attenuated alike.
 *
 * <p>With damping rate sigma(d) = sigma_max (d / width)^2 a wave crossing the layer and back is
 * attenuated by exp(-sigma_max L / (3 v)), L the layer thickness; sigma_max = 3 v ln(1/R) / L makes
 * that R. Since eta multiplies u_t in m u_tt + eta u_t, eta = m sigma = sigma / v^2.
 */
public final class Sponge {

  /**
   * Amplitude left of a wave that crosses the layer and comes back. Stronger damping leaves less to
   * come back through the layer but reflects more off its gradient; at 40 cells this value balances
   * the two best (about 0.9% reflected, {@code SpongeReflectionTest}).
   */
  public static final double DEFAULT_ROUND_TRIP_AMPLITUDE = 1e-3;

  private Sponge() {}

  /**
   * The damping field eta (s/m^2) over the padded grid for a padded velocity field (m/s). Zero in
   * the physical domain.
   */
  public static float[] damping(PaddedGrid grid, double spacing, float[] paddedVelocity) {
    return damping(grid, spacing, paddedVelocity, DEFAULT_ROUND_TRIP_AMPLITUDE);
  }

  public static float[] damping(
      PaddedGrid grid, double spacing, float[] paddedVelocity, double roundTripAmplitude) {
    float[] eta = new float[grid.size()];
    int width = grid.sponge();
    if (width == 0) {
      return eta;
    }
    double thickness = width * spacing;
    double strength = 3 * Math.log(1 / roundTripAmplitude) / thickness;
    for (int x = 0; x < grid.nxPadded(); x++) {
      for (int z = 0; z < grid.nzPadded(); z++) {
        double d = grid.spongeDepth(z, x) / width;
        if (d > 0) {
          int i = grid.index(z, x);
          double v = paddedVelocity[i];
          double sigma = strength * v * d * d;
          eta[i] = (float) (sigma / (v * v));
        }
      }
    }
    return eta;
  }
}
