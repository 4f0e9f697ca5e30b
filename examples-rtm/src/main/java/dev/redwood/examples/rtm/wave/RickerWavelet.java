package dev.redwood.examples.rtm.wave;

/**
 * The Ricker wavelet (the second derivative of a Gaussian, sign-flipped), the usual zero-phase
 * source signature of synthetic seismics: w(t) = (1 - 2 r^2) exp(-r^2), r = pi f0 (t - t0). Delayed
 * by t0 = 1 / f0 so it starts close to zero at t = 0 (its amplitude there is about 1e-3 of the
 * peak: e^(-pi^2) (1 - 2 pi^2)).
 */
public final class RickerWavelet {

  private RickerWavelet() {}

  public static double value(double t, double peakFrequency) {
    double r = Math.PI * peakFrequency * (t - 1 / peakFrequency);
    double r2 = r * r;
    return (1 - 2 * r2) * Math.exp(-r2);
  }

  /** The wavelet at every sample of the time axis. */
  public static float[] sampled(TimeAxis time, double peakFrequency) {
    if (!(peakFrequency > 0)) {
      throw new IllegalArgumentException("peak frequency must be positive, got " + peakFrequency);
    }
    float[] w = new float[time.samples()];
    for (int n = 0; n < w.length; n++) {
      w[n] = (float) value(time.time(n), peakFrequency);
    }
    return w;
  }

  /**
   * The highest frequency with appreciable energy, which the grid must sample without too much
   * numerical dispersion: the Ricker amplitude spectrum (f/f0)^2 exp(-(f/f0)^2) falls to about 3%
   * of its peak at 2.5 f0 (and 0.5% at 2.9 f0).
   */
  public static double maxFrequency(double peakFrequency) {
    return 2.5 * peakFrequency;
  }
}
