package dev.redwood.examples.acoustics.parameters;

/**
 * Finds when sound first arrives in a response: the first time |p| reaches {@link #THRESHOLD_DB}
 * below the response's peak, between samples by linear interpolation.
 *
 * <p>A threshold relative to the peak picks the first arrival that matters perceptually: a direct
 * path occluded by more than that is skipped for the first path that is heard. The crossing lies on
 * the rising edge of the pulse, a fixed time before the arrival itself; {@link Calibration}
 * measures that lag on the exact free-field response and subtracts it.
 */
public final class OnsetDetector {
  public static final double THRESHOLD_DB = 25;

  private OnsetDetector() {}

  /** The crossing time in samples (fractional), or NaN if the response is silent. */
  public static double crossing(double[] p) {
    double peak = 0;
    for (double v : p) {
      peak = Math.max(peak, Math.abs(v));
    }
    if (!(peak > 0)) {
      return Double.NaN;
    }
    double threshold = peak * Math.pow(10, -THRESHOLD_DB / 20);
    for (int n = 0; n < p.length; n++) {
      double v = Math.abs(p[n]);
      if (v >= threshold) {
        if (n == 0) {
          return 0;
        }
        double before = Math.abs(p[n - 1]);
        return n - 1 + (threshold - before) / (v - before);
      }
    }
    return Double.NaN;
  }
}
