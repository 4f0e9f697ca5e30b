package dev.redwood.examples.acoustics.pictures;

/**
 * Maps a value in a range to a colour by interpolating between a few control colours, dark to
 * light, so that louder or longer reads as brighter in print and for colour-blind readers too.
 */
public final class ColorMap {
  /** Night blue through purple and red to pale yellow: loudness. */
  public static final ColorMap HEAT =
      new ColorMap(0x0d0a2e, 0x4b1170, 0x9c2863, 0xe05a33, 0xf7b538, 0xfdf3b0);

  /** Deep blue through teal and green to pale yellow: decay times. */
  public static final ColorMap DEPTH =
      new ColorMap(0x0b1d3a, 0x1d4e89, 0x2a8c99, 0x5fbf77, 0xc4e07a, 0xfaf7c8);

  private final int[] stops;

  private ColorMap(int... stops) {
    this.stops = stops;
  }

  /** The colour of {@code value} between {@code min} and {@code max} (clamped), as 0xRRGGBB. */
  public int rgb(double value, double min, double max) {
    double t = (value - min) / (max - min);
    if (Double.isNaN(t)) {
      t = 0;
    }
    t = Math.max(0, Math.min(1, t)) * (stops.length - 1);
    int k = Math.min(stops.length - 2, (int) Math.floor(t));
    double f = t - k;
    int a = stops[k];
    int b = stops[k + 1];
    int r = (int) Math.round(((a >> 16) & 0xff) * (1 - f) + ((b >> 16) & 0xff) * f);
    int g = (int) Math.round(((a >> 8) & 0xff) * (1 - f) + ((b >> 8) & 0xff) * f);
    int bl = (int) Math.round((a & 0xff) * (1 - f) + (b & 0xff) * f);
    return (r << 16) | (g << 8) | bl;
  }
}
