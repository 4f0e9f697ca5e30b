package dev.redwood.examples.acoustics.fdtd;

/**
 * The exact free-field pressure of the source pulse in 2D, from the Green's function of the wave
 * equation, G(r, t) = H(ct - r) / (2 pi c sqrt(c^2 t^2 - r^2)), convolved with the source term.
 *
 * <p>The kernel is singular at the wavefront t = r / c; substituting t' = r / c + u^2 turns the
 * convolution into p(r, t) = integral over u >= 0 of s(t - r/c - u^2) / (pi c sqrt(c (2r + c u^2)))
 * du, whose integrand is smooth, so Simpson's rule converges fast. The bake calibrates its loudness
 * scale and its onset detector with this, and the tests compare the simulation with it.
 */
public final class AnalyticResponse {
  private static final int INTERVALS = 600;
  private final SourcePulse pulse;
  private final double c;

  public AnalyticResponse(SourcePulse pulse) {
    this(pulse, GridSettings.SPEED_OF_SOUND);
  }

  public AnalyticResponse(SourcePulse pulse, double speedOfSound) {
    this.pulse = pulse;
    this.c = speedOfSound;
  }

  /** Pressure at distance r (m) and time t (s). */
  public double pressure(double r, double t) {
    double retarded = t - r / c;
    if (retarded <= 0) {
      return 0;
    }
    double uHi = Math.sqrt(retarded);
    double uLo = Math.sqrt(Math.max(0, retarded - pulse.end()));
    double step = (uHi - uLo) / INTERVALS;
    double sum = 0;
    for (int k = 0; k <= INTERVALS; k++) {
      double u = uLo + k * step;
      double weight = (k == 0 || k == INTERVALS) ? 1 : (k % 2 == 1 ? 4 : 2);
      sum += weight * pulse.value(retarded - u * u) / Math.sqrt(c * (2 * r + c * u * u));
    }
    return sum * step / 3 / (Math.PI * c);
  }

  /** Samples of the pressure at distance r: {@code n} values at times 0, dt, 2 dt, ... */
  public double[] waveform(double r, double dt, int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = pressure(r, i * dt);
    }
    return out;
  }
}
