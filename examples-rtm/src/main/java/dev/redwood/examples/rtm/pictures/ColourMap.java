package dev.redwood.examples.rtm.pictures;

/**
 * The colour map for velocity models: deep blue for slow (water) through teal and green-yellow to
 * orange and dark red for fast (salt), lightness rising then falling slightly so the extremes stay
 * distinguishable. Linear interpolation between six anchor colours of our own choosing.
 */
public final class ColourMap {

  private static final double[] AT = {0.0, 0.2, 0.4, 0.6, 0.8, 1.0};
  private static final int[][] RGB = {
    {25, 30, 100}, {35, 95, 175}, {55, 165, 170}, {165, 205, 110}, {240, 170, 60}, {160, 35, 30}
  };

  private ColourMap() {}

  /** The colour of t in [0, 1] (clamped) as 0xRRGGBB. */
  public static int rgb(double t) {
    if (!(t >= 0)) {
      t = 0;
    }
    t = Math.min(1, t);
    int k = 0;
    while (k < AT.length - 2 && t > AT[k + 1]) {
      k++;
    }
    double f = (t - AT[k]) / (AT[k + 1] - AT[k]);
    int r = (int) Math.round(RGB[k][0] + f * (RGB[k + 1][0] - RGB[k][0]));
    int g = (int) Math.round(RGB[k][1] + f * (RGB[k + 1][1] - RGB[k][1]));
    int b = (int) Math.round(RGB[k][2] + f * (RGB[k + 1][2] - RGB[k][2]));
    return (r << 16) | (g << 8) | b;
  }
}
