package dev.redwood.examples.rtm.model;

/**
 * Gaussian smoothing of a velocity model, to make the background (migration) velocity: it keeps the
 * kinematics (traveltimes) and removes the sharp contrasts that reflect, so that data modelled in
 * it contain the direct wave but no reflections. Smoothing acts on slowness, which averages
 * traveltimes correctly; the water layer can be kept exact, since water velocity is known.
 */
public final class GaussianSmoothing {

  private GaussianSmoothing() {}

  /** The model smoothed with a Gaussian of standard deviation {@code sigma} metres. */
  public static VelocityModel smooth(VelocityModel model, double sigma) {
    int nz = model.nz();
    int nx = model.nx();
    float[] slowness = new float[nz * nx];
    float[] v = model.values();
    for (int i = 0; i < v.length; i++) {
      slowness[i] = 1f / v[i];
    }
    double cells = sigma / model.spacing();
    float[] smoothed = smooth2d(slowness, nz, nx, cells);
    float[] result = new float[smoothed.length];
    for (int i = 0; i < result.length; i++) {
      result[i] = 1f / smoothed[i];
    }
    return new VelocityModel(nz, nx, model.spacing(), result);
  }

  /**
   * The model smoothed, then the water column (cells from the top of each column down to the first
   * that differs from the top cell) restored to the true water velocity.
   */
  public static VelocityModel smoothKeepingWater(VelocityModel model, double sigma) {
    VelocityModel smoothed = smooth(model, sigma);
    float[] v = smoothed.values().clone();
    int nz = model.nz();
    for (int ix = 0; ix < model.nx(); ix++) {
      float water = model.at(0, ix);
      for (int iz = 0; iz < nz && model.at(iz, ix) == water; iz++) {
        v[ix * nz + iz] = water;
      }
    }
    return new VelocityModel(nz, model.nx(), model.spacing(), v);
  }

  /**
   * Separable Gaussian filter of a depth-fastest grid, standard deviation {@code cells}, edges
   * continued by repeating the edge cell (so a constant field stays constant).
   */
  public static float[] smooth2d(float[] field, int nz, int nx, double cells) {
    if (cells <= 0) {
      return field.clone();
    }
    double[] kernel = kernel(cells);
    int half = kernel.length / 2;
    float[] pass = new float[field.length];
    for (int ix = 0; ix < nx; ix++) {
      for (int iz = 0; iz < nz; iz++) {
        double s = 0;
        for (int k = -half; k <= half; k++) {
          int z = Math.min(nz - 1, Math.max(0, iz + k));
          s += kernel[k + half] * field[ix * nz + z];
        }
        pass[ix * nz + iz] = (float) s;
      }
    }
    float[] out = new float[field.length];
    for (int ix = 0; ix < nx; ix++) {
      for (int iz = 0; iz < nz; iz++) {
        double s = 0;
        for (int k = -half; k <= half; k++) {
          int x = Math.min(nx - 1, Math.max(0, ix + k));
          s += kernel[k + half] * pass[x * nz + iz];
        }
        out[ix * nz + iz] = (float) s;
      }
    }
    return out;
  }

  /** Normalised Gaussian weights out to 3 standard deviations. */
  private static double[] kernel(double sigma) {
    int half = (int) Math.ceil(3 * sigma);
    double[] w = new double[2 * half + 1];
    double sum = 0;
    for (int k = -half; k <= half; k++) {
      w[k + half] = Math.exp(-0.5 * k * k / (sigma * sigma));
      sum += w[k + half];
    }
    for (int k = 0; k < w.length; k++) {
      w[k] /= sum;
    }
    return w;
  }
}
