package dev.redwood.examples.rtm.wave;

import dev.redwood.examples.rtm.model.VelocityModel;

/**
 * A velocity model made ready to propagate waves in: padded with the sponge, turned into squared
 * slowness, with its damping field and the leapfrog coefficients for a time step.
 *
 * <p>The damping field can be given instead of derived from the model. Inversion keeps it fixed
 * while the model changes, so that the wavefield depends on the model only through the squared
 * slowness, which is what the gradient is taken with respect to.
 */
public final class Medium {
  private final VelocityModel model;
  private final PaddedGrid grid;
  private final TimeAxis time;
  private final float[] damping;
  private final WaveCoefficients coefficients;

  private Medium(VelocityModel model, PaddedGrid grid, TimeAxis time, float[] damping) {
    if (!time.stableFor(model.max(), model.spacing())) {
      throw new IllegalArgumentException(
          String.format(
              "time step %.3f ms is unstable for %.0f m/s at %.4g m (limit %.3f ms)",
              time.dt() * 1e3,
              model.max(),
              model.spacing(),
              StencilWeights.courantLimit(2) * model.spacing() / model.max() * 1e3));
    }
    this.model = model;
    this.grid = grid;
    this.time = time;
    this.damping = damping;
    this.coefficients =
        WaveCoefficients.of(
            grid, grid.extend(model.squaredSlowness()), damping, time.dt(), model.spacing());
  }

  /** A medium whose sponge is tuned to the model's own velocities. */
  public static Medium of(VelocityModel model, int sponge, TimeAxis time) {
    PaddedGrid grid = new PaddedGrid(model.nz(), model.nx(), sponge);
    return new Medium(
        model, grid, time, Sponge.damping(grid, model.spacing(), grid.extend(model.values())));
  }

  /** A medium with a given damping field (from {@link #damping()} of another medium). */
  public static Medium withDamping(
      VelocityModel model, int sponge, TimeAxis time, float[] damping) {
    PaddedGrid grid = new PaddedGrid(model.nz(), model.nx(), sponge);
    if (damping.length != grid.size()) {
      throw new IllegalArgumentException("damping field does not fit the padded grid " + grid);
    }
    return new Medium(model, grid, time, damping);
  }

  public VelocityModel model() {
    return model;
  }

  public PaddedGrid grid() {
    return grid;
  }

  public TimeAxis time() {
    return time;
  }

  public double spacing() {
    return model.spacing();
  }

  /** The damping field eta over the padded grid (not a copy). */
  public float[] damping() {
    return damping;
  }

  public WaveCoefficients coefficients() {
    return coefficients;
  }

  /** Points (sources or receivers) at these positions, in metres. */
  public GridPoints points(double[] x, double[] z) {
    return GridPoints.at(grid, model.spacing(), x, z);
  }
}
