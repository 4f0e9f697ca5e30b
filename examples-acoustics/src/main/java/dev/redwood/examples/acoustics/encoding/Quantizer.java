package dev.redwood.examples.acoustics.encoding;

/**
 * How each parameter is rounded before it is stored: steps near what a listener can tell apart, so
 * a bake keeps only the precision that is heard.
 *
 * <ul>
 *   <li>onset delay: {@link #DELAY_STEP} (0.25 ms), on a linear scale;
 *   <li>loudness: {@link #LOUDNESS_STEP} (0.5 dB; the just noticeable difference is about 1 dB);
 *   <li>decay times: {@link #DECAY_RATIO} (2%) on a log scale (the just noticeable difference of
 *       reverberation time is about 5%); a missing time is stored as missing;
 *   <li>arrival direction: {@link #DIRECTIONS} (256) steps around the circle, 1.4 degrees.
 * </ul>
 */
public final class Quantizer {
  public static final double DELAY_STEP = 0.25e-3;
  public static final double LOUDNESS_STEP = 0.5;
  public static final double DECAY_RATIO = 1.02;

  /** The decay time that quantises to 0 (1 ms). */
  public static final double DECAY_ORIGIN = 1e-3;

  public static final int DIRECTIONS = 256;

  private static final double LOG_STEP = Math.log(DECAY_RATIO);

  private Quantizer() {}

  public static int delay(double seconds) {
    return (int) Math.round(seconds / DELAY_STEP);
  }

  public static double delay(int q) {
    return q * DELAY_STEP;
  }

  public static int loudness(double db) {
    return (int) Math.round(db / LOUDNESS_STEP);
  }

  public static double loudness(int q) {
    return q * LOUDNESS_STEP;
  }

  /** A decay time (positive seconds) on the log scale. */
  public static int decay(double seconds) {
    return (int) Math.round(Math.log(seconds / DECAY_ORIGIN) / LOG_STEP);
  }

  public static double decay(int q) {
    return DECAY_ORIGIN * Math.exp(q * LOG_STEP);
  }

  /** A direction (angle in radians) as one of {@link #DIRECTIONS} steps, 0 .. DIRECTIONS - 1. */
  public static int direction(double angle) {
    int q = (int) Math.round(angle / (2 * Math.PI) * DIRECTIONS);
    return Math.floorMod(q, DIRECTIONS);
  }

  public static double direction(int q) {
    return q * 2 * Math.PI / DIRECTIONS;
  }
}
