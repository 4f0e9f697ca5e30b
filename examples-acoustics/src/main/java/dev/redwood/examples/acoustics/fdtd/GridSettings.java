package dev.redwood.examples.acoustics.fdtd;

import java.io.Serializable;

/**
 * Space and time steps of a simulation that resolves sound up to {@code maxFrequency}.
 *
 * <p>The grid spacing gives {@link #POINTS_PER_WAVELENGTH} cells per wavelength at the top
 * frequency (0.098 m at 500 Hz): the second-order scheme's phase error stays within a few percent
 * there. The time step sits just under the 2D stability limit of the scheme, Courant number c dt /
 * h = 1 / sqrt(2); {@link #COURANT} keeps a 1% margin, because walls and the absorbing layer add
 * terms the limit was not derived for.
 */
public record GridSettings(double maxFrequency, double spacing, double timeStep)
    implements Serializable {
  /** Speed of sound in air at 20 degrees C, m/s. */
  public static final double SPEED_OF_SOUND = 343.0;

  public static final double POINTS_PER_WAVELENGTH = 7.0;
  public static final double COURANT = 0.7;

  public static GridSettings forFrequency(double maxFrequency) {
    if (!(maxFrequency > 0)) {
      throw new IllegalArgumentException("frequency must be positive, got " + maxFrequency);
    }
    double h = SPEED_OF_SOUND / (POINTS_PER_WAVELENGTH * maxFrequency);
    return new GridSettings(maxFrequency, h, COURANT * h / SPEED_OF_SOUND);
  }

  /** c dt / h. */
  public double courant() {
    return SPEED_OF_SOUND * timeStep / spacing;
  }

  /** Time steps that cover {@code seconds}. */
  public int steps(double seconds) {
    return (int) Math.ceil(seconds / timeStep);
  }
}
