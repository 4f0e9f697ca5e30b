package dev.redwood.examples.acoustics.parameters;

/**
 * Turns one recorded response into {@link CellParameters}: the onset, the energies of the direct
 * and early-reflection windows after it, decay times from the Schroeder curve, and the direction of
 * the direct sound from the intensity during its main lobe.
 */
public final class ParameterExtractor {
  /** The direct-sound window after the onset, seconds (Triton: 10 ms). */
  public static final double DIRECT_WINDOW = 0.010;

  /** The early-reflections window after the direct one, seconds (Triton: 80 ms). */
  public static final double REFLECTIONS_WINDOW = 0.080;

  /** Loudness floor in dB: a window with (almost) no energy reads as this. */
  public static final double SILENCE = -100;

  private ParameterExtractor() {}

  /**
   * Parameters of a response, or null if no sound arrived.
   *
   * @param p pressure per time step
   * @param gx running time integral of the x pressure gradient per step
   * @param gy the same for y
   */
  public static CellParameters extract(
      double[] p, double[] gx, double[] gy, double dt, Calibration calibration) {
    double crossing = OnsetDetector.crossing(p);
    if (Double.isNaN(crossing)) {
      return null;
    }
    double tCross = crossing * dt;
    double onset = Math.max(0, tCross - calibration.onsetLag());
    double direct = windowEnergy(p, dt, tCross, DIRECT_WINDOW);
    double reflections = windowEnergy(p, dt, tCross + DIRECT_WINDOW, REFLECTIONS_WINDOW);
    SchroederDecay decay = new SchroederDecay(p, dt, (int) Math.ceil(crossing));
    // Intensity p v, with v proportional to minus the integrated gradient: the sum of p * G
    // points back towards where the sound comes from.
    double ix = 0;
    double iy = 0;
    int from = (int) Math.ceil(crossing);
    int to = Math.min(p.length, (int) Math.ceil((tCross + calibration.arrivalWindow()) / dt));
    for (int n = from; n < to; n++) {
      ix += p[n] * gx[n];
      iy += p[n] * gy[n];
    }
    double norm = Math.hypot(ix, iy);
    double ax = norm > 0 ? ix / norm : 0;
    double ay = norm > 0 ? iy / norm : 0;
    return new CellParameters(
        onset,
        decibels(direct, calibration.referenceEnergy()),
        decibels(reflections, calibration.referenceEnergy()),
        decay.earlyDecayTime(),
        reverberationTime(decay),
        ax,
        ay);
  }

  /**
   * T30 where the response decays by 35 dB before it ends, else T20 (-5 to -25 dB), which ISO
   * 3382-1 accepts as the same quantity measured over a shorter range.
   */
  static double reverberationTime(SchroederDecay decay) {
    double t30 = decay.t30();
    return Double.isNaN(t30) ? decay.t20() : t30;
  }

  /** Integral of p^2 over samples whose times fall in [start, start + length). */
  public static double windowEnergy(double[] p, double dt, double start, double length) {
    int from = Math.max(0, (int) Math.ceil(start / dt - 1e-9));
    int to = Math.min(p.length, (int) Math.ceil((start + length) / dt - 1e-9));
    double sum = 0;
    for (int n = from; n < to; n++) {
      sum += p[n] * p[n];
    }
    return sum * dt;
  }

  static double decibels(double energy, double reference) {
    if (!(energy > 0)) {
      return SILENCE;
    }
    return Math.max(SILENCE, 10 * Math.log10(energy / reference));
  }
}
