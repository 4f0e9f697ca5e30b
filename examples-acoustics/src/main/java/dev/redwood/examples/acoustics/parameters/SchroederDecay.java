package dev.redwood.examples.acoustics.parameters;

/**
 * Decay times from the energy-decay curve of a response, as ISO 3382-1 defines them: Schroeder's
 * backward integral E(t) = integral from t to infinity of p^2, in dB relative to its value at the
 * onset; a least-squares line fitted to the curve between two levels, extrapolated to -60 dB. EDT
 * fits 0 to -10 dB, T30 fits -5 to -35 dB.
 *
 * <p>A simulated response ends at the simulation's duration, which bends the curve's end downwards.
 * As ISO 3382-1 allows, the missing tail is added back: a line fitted to the log of the energy
 * envelope over the last {@link #TAIL_FRACTION} of the response estimates the decay rate, and the
 * energy after the end follows from it. A time whose span of levels the response does not reach
 * before its end is NaN.
 */
public final class SchroederDecay {
  /** Share of the response (its end) that estimates the decay rate of the missing tail. */
  static final double TAIL_FRACTION = 0.3;

  /** Length of one bin of the energy envelope, seconds. */
  static final double BIN = 0.005;

  /** Points a line fit uses at most: the curve is an integral, smooth enough to thin out. */
  private static final int FIT_POINTS = 250;

  /** Backward-integrated energy from sample start + i to the end (plus the missing tail). */
  private final double[] backward;

  private final double dt;

  /** The decay curve of {@code p} (sampled at dt) from sample {@code start} on. */
  public SchroederDecay(double[] p, double dt, int start) {
    this.dt = dt;
    int n = p.length;
    double sum = missingTail(p, dt, start);
    backward = new double[Math.max(0, n - start)];
    for (int i = n - 1; i >= start; i--) {
      sum += p[i] * p[i];
      backward[i - start] = sum;
    }
  }

  /** Early decay time (0 to -10 dB) in seconds, or NaN. */
  public double earlyDecayTime() {
    return decayTime(0, -10);
  }

  /** Reverberation time T30 (-5 to -35 dB) in seconds, or NaN. */
  public double t30() {
    return decayTime(-5, -35);
  }

  /** Reverberation time T20 (-5 to -25 dB) in seconds, or NaN. */
  public double t20() {
    return decayTime(-5, -25);
  }

  /** The curve in dB, i samples after the start. */
  public double levelDb(int i) {
    return backward[i] > 0 && backward[0] > 0
        ? 10 * Math.log10(backward[i] / backward[0])
        : Double.NEGATIVE_INFINITY;
  }

  /** The decay from level {@code upper} to {@code lower} dB, fitted and extrapolated to 60 dB. */
  public double decayTime(double upper, double lower) {
    if (backward.length == 0 || !(backward[0] > 0)) {
      return Double.NaN;
    }
    // Find the span in energy terms: no logarithm per sample.
    double upperEnergy = backward[0] * Math.pow(10, upper / 10);
    double lowerEnergy = backward[0] * Math.pow(10, lower / 10);
    int first = -1;
    int last = -1;
    for (int i = 0; i < backward.length; i++) {
      if (first < 0 && backward[i] <= upperEnergy) {
        first = i;
      }
      if (backward[i] < lowerEnergy) {
        last = i;
        break;
      }
    }
    // Never reaching the lower level means the response ended first: not measurable.
    if (first < 0 || last < 0 || last - first < 3) {
      return Double.NaN;
    }
    int stride = Math.max(1, (last - first) / FIT_POINTS);
    double n = 0;
    double st = 0;
    double sl = 0;
    double stt = 0;
    double stl = 0;
    for (int i = first; i < last; i += stride) {
      double t = i * dt;
      double level = levelDb(i);
      n++;
      st += t;
      sl += level;
      stt += t * t;
      stl += t * level;
    }
    double slope = (n * stl - st * sl) / (n * stt - st * st);
    return slope < 0 ? -60 / slope : Double.NaN;
  }

  /**
   * Energy after the end of the response, extrapolated from the decay of its last part; 0 when that
   * part does not decay.
   */
  static double missingTail(double[] p, double dt, int start) {
    int binSamples = Math.max(1, (int) Math.round(BIN / dt));
    int n = p.length;
    int from = Math.max(start, n - (int) ((n - start) * TAIL_FRACTION));
    int bins = (n - from) / binSamples;
    if (bins < 4) {
      return 0;
    }
    double st = 0;
    double sl = 0;
    double stt = 0;
    double stl = 0;
    int used = 0;
    for (int k = 0; k < bins; k++) {
      double e = 0;
      int b0 = n - (bins - k) * binSamples;
      for (int i = b0; i < b0 + binSamples; i++) {
        e += p[i] * p[i];
      }
      if (e <= 0) {
        continue;
      }
      double t = (b0 + binSamples / 2.0) * dt;
      double l = Math.log(e / binSamples);
      st += t;
      sl += l;
      stt += t * t;
      stl += t * l;
      used++;
    }
    if (used < 4) {
      return 0;
    }
    double slope = (used * stl - st * sl) / (used * stt - st * st); // per second, natural log
    if (!(slope < 0)) {
      return 0;
    }
    double intercept = (sl - slope * st) / used;
    double perSampleAtEnd = Math.exp(intercept + slope * n * dt);
    // Sum over k >= 0 of perSampleAtEnd * exp(slope * k dt).
    return perSampleAtEnd / (1 - Math.exp(slope * dt));
  }
}
