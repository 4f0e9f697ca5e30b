package dev.redwood.examples.rtm.imaging;

import dev.redwood.examples.rtm.model.VelocityModel;

/**
 * Mutes the image in the water column. Nothing reflects there, but sources and receivers sit in it
 * and the strongest residual energy (direct-wave leftovers, near-source backscatter) images there,
 * so standard displays blank it. The mute stops a few cells above the seafloor, with a short linear
 * taper, so the seafloor's own reflection keeps both lobes.
 */
public final class WaterMute {

  /** Cells above the seafloor left unmuted, and the taper length above them. */
  public static final int MARGIN = 3;

  private WaterMute() {}

  /**
   * For each column, the first row below the water: the first cell whose velocity differs from the
   * top cell's (0 if the column has no distinct top layer).
   */
  public static int[] seafloorRows(VelocityModel model) {
    int[] rows = new int[model.nx()];
    for (int ix = 0; ix < model.nx(); ix++) {
      float water = model.at(0, ix);
      int iz = 0;
      while (iz < model.nz() && model.at(iz, ix) == water) {
        iz++;
      }
      rows[ix] = iz == model.nz() ? 0 : iz;
    }
    return rows;
  }

  /** Applies the mute to a depth-fastest image in place. */
  public static void apply(float[] image, int nz, int[] seafloorRows) {
    for (int ix = 0; ix < seafloorRows.length; ix++) {
      int keepFrom = seafloorRows[ix] - MARGIN;
      int zeroBelow = keepFrom - MARGIN;
      for (int iz = 0; iz < Math.min(nz, keepFrom); iz++) {
        float factor = iz <= zeroBelow ? 0f : (float) (iz - zeroBelow) / MARGIN;
        image[ix * nz + iz] *= factor;
      }
    }
  }
}
