package dev.redwood.examples.rtm.pictures;

import java.util.Arrays;

/**
 * The clip level for displaying seismic images and records: a high percentile of |x|, so that a few
 * very strong samples (near the source, at the salt top) do not wash out the rest.
 */
public final class Clip {

  private Clip() {}

  /** The {@code percentile} (0-100) of the absolute values; 0 if all are zero. */
  public static float percentileOfAbs(float[] values, double percentile) {
    if (!(percentile > 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100], got " + percentile);
    }
    float[] abs = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      abs[i] = Math.abs(values[i]);
    }
    Arrays.sort(abs);
    int index = (int) Math.ceil(percentile / 100 * abs.length) - 1;
    return abs[Math.max(0, Math.min(abs.length - 1, index))];
  }
}
