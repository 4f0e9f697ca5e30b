package dev.redwood.examples.rtm;

import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.wave.RickerWavelet;

/**
 * Checks of option values, failing before any pipeline runs with a message that names the option
 * and says what would be accepted.
 */
public final class OptionChecks {

  /** Grid points per shortest wavelength the eighth-order stencil needs (2% phase error). */
  public static final double POINTS_PER_WAVELENGTH = 3;

  private OptionChecks() {}

  public static void atLeast(String option, long value, long minimum) {
    if (value < minimum) {
      throw new IllegalArgumentException(
          "--" + option + " must be at least " + minimum + ", got " + value);
    }
  }

  public static void positive(String option, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          "--" + option + " must be a positive number, got " + value);
    }
  }

  public static void notNegative(String option, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("--" + option + " must be zero or more, got " + value);
    }
  }

  /** value in (low, high]. */
  public static void within(String option, double value, double low, double high) {
    if (!(value > low && value <= high)) {
      throw new IllegalArgumentException(
          "--"
              + option
              + " must be greater than "
              + low
              + " and at most "
              + high
              + ", got "
              + value);
    }
  }

  public static void depthInModel(String option, double depth, VelocityModel model) {
    if (!(depth >= 0 && depth <= model.depth())) {
      throw new IllegalArgumentException(
          String.format(
              "--%s must lie in the model, 0 to %.0f m, got %s", option, model.depth(), depth));
    }
  }

  /**
   * The grid must sample the shortest wavelength, at 2.5 times the peak frequency in the slowest
   * rock, with {@link #POINTS_PER_WAVELENGTH} points, or the waves disperse.
   */
  public static void frequencyResolved(double frequency, VelocityModel model) {
    double highest = model.min() / (POINTS_PER_WAVELENGTH * model.spacing());
    double limit = highest / (RickerWavelet.maxFrequency(1));
    if (frequency > limit) {
      throw new IllegalArgumentException(
          String.format(
              "--frequency=%s Hz is too high for a %.4g m grid with a slowest velocity of %.0f m/s:"
                  + " at most %.1f Hz (%.0f grid points per wavelength at %.1f times the peak"
                  + " frequency); lower --frequency or refine --gridSpacing",
              frequency,
              model.spacing(),
              model.min(),
              limit,
              POINTS_PER_WAVELENGTH,
              RickerWavelet.maxFrequency(1)));
    }
  }
}
