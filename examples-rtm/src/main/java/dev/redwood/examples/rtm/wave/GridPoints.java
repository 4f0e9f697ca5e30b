package dev.redwood.examples.rtm.wave;

/**
 * Sources or receivers at arbitrary positions, tied to the grid by bilinear interpolation: each
 * point reads (receivers) or feeds (sources) the four cells around it with weights that sum to one.
 * Sampling and injection use the same weights, so one is the transpose of the other.
 *
 * <p>Positions are in metres from the first cell of the physical model (x across, z down).
 */
public final class GridPoints {
  private final int[] index;
  private final float[] weight;

  /**
   * The padded column of each point's right-hand cells (its left-hand ones are one column less).
   */
  private final int[] rightColumn;

  private GridPoints(int[] index, float[] weight, int[] rightColumn) {
    this.index = index;
    this.weight = weight;
    this.rightColumn = rightColumn;
  }

  public static GridPoints at(PaddedGrid grid, double spacing, double[] x, double[] z) {
    if (x.length != z.length) {
      throw new IllegalArgumentException("x and z positions differ in number");
    }
    int[] index = new int[4 * x.length];
    float[] weight = new float[4 * x.length];
    int[] rightColumn = new int[x.length];
    for (int p = 0; p < x.length; p++) {
      double fx = x[p] / spacing;
      double fz = z[p] / spacing;
      double tolerance = 1e-9;
      if (fx < -tolerance
          || fz < -tolerance
          || fx > grid.nx() - 1 + tolerance
          || fz > grid.nz() - 1 + tolerance) {
        throw new IllegalArgumentException(
            String.format(
                "point (x %.1f m, z %.1f m) lies outside the model (%.1f m wide, %.1f m deep)",
                x[p], z[p], (grid.nx() - 1) * spacing, (grid.nz() - 1) * spacing));
      }
      int ix = Math.min((int) Math.floor(fx + tolerance), Math.max(0, grid.nx() - 2));
      int iz = Math.min((int) Math.floor(fz + tolerance), Math.max(0, grid.nz() - 2));
      double wx = Math.min(1, Math.max(0, fx - ix));
      double wz = Math.min(1, Math.max(0, fz - iz));
      int ix1 = Math.min(ix + 1, grid.nx() - 1);
      int iz1 = Math.min(iz + 1, grid.nz() - 1);
      index[4 * p] = grid.physicalIndex(iz, ix);
      index[4 * p + 1] = grid.physicalIndex(iz1, ix);
      index[4 * p + 2] = grid.physicalIndex(iz, ix1);
      index[4 * p + 3] = grid.physicalIndex(iz1, ix1);
      weight[4 * p] = (float) ((1 - wz) * (1 - wx));
      weight[4 * p + 1] = (float) (wz * (1 - wx));
      weight[4 * p + 2] = (float) ((1 - wz) * wx);
      weight[4 * p + 3] = (float) (wz * wx);
      rightColumn[p] = ix1 + grid.offset();
    }
    return new GridPoints(index, weight, rightColumn);
  }

  public int count() {
    return index.length / 4;
  }

  /** The field interpolated at point p. */
  public float sample(float[] field, int p) {
    float s = 0;
    for (int k = 4 * p; k < 4 * p + 4; k++) {
      s += weight[k] * field[index[k]];
    }
    return s;
  }

  /**
   * Adds {@code amplitude} at point p as a right-hand side of the wave equation, spread over the
   * four cells with the interpolation weights and scaled by each cell's 1/D1 (see {@link
   * WaveCoefficients#injectionScale}).
   */
  public void inject(float[] field, int p, float amplitude, WaveCoefficients coefficients) {
    for (int k = 4 * p; k < 4 * p + 4; k++) {
      int i = index[k];
      field[i] += weight[k] * amplitude * coefficients.injectionScale(i);
    }
  }

  /**
   * Adds {@code amplitude} as {@link #inject} does, at the points whose right-hand cells lie in
   * padded column x: called for every column in turn from {@link StencilKernel#stepTwice}'s {@code
   * columnWritten}, it adds at every point once, when both its columns are written and before
   * either is read.
   */
  public void injectInColumn(float[] field, int x, float amplitude, WaveCoefficients coefficients) {
    for (int p = 0; p < rightColumn.length; p++) {
      if (rightColumn[p] == x) {
        inject(field, p, amplitude, coefficients);
      }
    }
  }
}
