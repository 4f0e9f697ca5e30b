package dev.redwood.examples.rtm.wave;

import java.io.Serializable;

/**
 * The time samples of a simulation and of its shot records: {@code samples} steps of {@code dt}
 * seconds from t = 0. Shot records are sampled at every time step, so the step is a whole number of
 * microseconds (what SEG-Y stores) and records read back from SEG-Y line up with the simulation
 * exactly.
 */
public final class TimeAxis implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Fraction of the stability limit used by default: the limit itself is marginal in float32. */
  public static final double DEFAULT_COURANT_FRACTION = 0.9;

  private final int microseconds;
  private final int samples;

  public TimeAxis(int microseconds, int samples) {
    if (microseconds < 1 || samples < 2) {
      throw new IllegalArgumentException(
          "time axis needs dt >= 1 us and 2 samples or more, got "
              + microseconds
              + " us, "
              + samples);
    }
    this.microseconds = microseconds;
    this.samples = samples;
  }

  /**
   * The time axis for a model: dt = fraction * C h / vMax rounded down to whole microseconds, C the
   * Courant limit of the eighth-order stencil in 2D ({@link StencilWeights#courantLimit}), and
   * enough samples to reach {@code recordingTime} seconds.
   */
  public static TimeAxis forModel(
      double maxVelocity, double spacing, double recordingTime, double courantFraction) {
    if (!(courantFraction > 0 && courantFraction <= 1)) {
      throw new IllegalArgumentException(
          "Courant fraction must be in (0, 1], got " + courantFraction);
    }
    double limit = StencilWeights.courantLimit(2) * spacing / maxVelocity;
    int us = (int) Math.floor(courantFraction * limit * 1e6);
    if (us < 1) {
      throw new IllegalArgumentException("time step below 1 us: grid too fine for " + maxVelocity);
    }
    int samples = (int) Math.ceil(recordingTime / (us * 1e-6)) + 1;
    return new TimeAxis(us, samples);
  }

  /** Whether this step is stable for a model with this maximum velocity and spacing. */
  public boolean stableFor(double maxVelocity, double spacing) {
    return dt() * maxVelocity / spacing <= StencilWeights.courantLimit(2);
  }

  public double dt() {
    return microseconds * 1e-6;
  }

  public int microseconds() {
    return microseconds;
  }

  public int samples() {
    return samples;
  }

  /** Time of the last sample, seconds. */
  public double duration() {
    return (samples - 1) * dt();
  }

  public double time(int n) {
    return n * dt();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TimeAxis t && t.microseconds == microseconds && t.samples == samples;
  }

  @Override
  public int hashCode() {
    return microseconds * 31 + samples;
  }

  @Override
  public String toString() {
    return samples + " samples at " + microseconds / 1000.0 + " ms";
  }
}
