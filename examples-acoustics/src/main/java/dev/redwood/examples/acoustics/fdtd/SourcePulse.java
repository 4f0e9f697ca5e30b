package dev.redwood.examples.acoustics.fdtd;

import java.io.Serializable;

/**
 * The probe's signal: the time derivative of a Gaussian, band-limited to the bake's frequency.
 *
 * <p>With width sigma = 1 / (pi f), the Gaussian's spectrum exp(-(2 pi f sigma)^2 / 2) has fallen
 * to e^-2 at the top frequency f and e^-8 at 2f, so little energy reaches the frequencies the grid
 * cannot carry. The derivative removes the DC component: a 2D point source with DC would leave a
 * pressure that fades like 1 / sqrt(t), which no decay-time estimate survives.
 *
 * <p>The signal drives the wave equation p_tt - c^2 lap(p) = s(t) delta(x - x_probe) with s(t) =
 * {@link #amplitude} * q(t); the amplitude h^2 / dt^2 makes the per-step injection (dt^2 / h^2)
 * s(t) equal to q(t), which keeps pressures near 1 in float.
 */
public record SourcePulse(double sigma, double delay, double amplitude) implements Serializable {

  public static SourcePulse forGrid(GridSettings grid) {
    double sigma = 1 / (Math.PI * grid.maxFrequency());
    double h = grid.spacing();
    double dt = grid.timeStep();
    // Starting 5 sigma late makes the signal at t = 0 negligible (e^-12.5).
    return new SourcePulse(sigma, 5 * sigma, h * h / (dt * dt));
  }

  /** The normalised shape q(t) (peak 0.61). */
  public double shape(double t) {
    double u = (t - delay) / sigma;
    return -u * Math.exp(-0.5 * u * u);
  }

  /** s(t), the source term of the wave equation. */
  public double value(double t) {
    return amplitude * shape(t);
  }

  /** The time after which the signal is negligible. */
  public double end() {
    return 2 * delay;
  }
}
