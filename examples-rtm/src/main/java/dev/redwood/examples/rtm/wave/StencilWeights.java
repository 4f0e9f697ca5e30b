package dev.redwood.examples.rtm.wave;

/**
 * The eighth-order central finite-difference weights of the second derivative on a unit grid, and
 * the time-step limit (CFL) they impose on the second-order leapfrog scheme.
 *
 * <p>The weights come from the Taylor expansion of u(x +- k h), k = 1..4, truncated after the h^8
 * term: d2u/dx2 ~ (W0 u + sum_k Wk (u(x+kh) + u(x-kh))) / h^2.
 */
public final class StencilWeights {

  /** Cells on each side of the centre that the stencil reads. */
  public static final int RADIUS = 4;

  public static final float W0 = -205f / 72f;
  public static final float W1 = 8f / 5f;
  public static final float W2 = -1f / 5f;
  public static final float W3 = 8f / 315f;
  public static final float W4 = -1f / 560f;

  /** The same weights, centre first, in double precision (for the CFL and dispersion maths). */
  private static final double[] WEIGHTS = {
    -205.0 / 72.0, 8.0 / 5.0, -1.0 / 5.0, 8.0 / 315.0, -1.0 / 560.0
  };

  private StencilWeights() {}

  /**
   * The largest Courant number c dt / h for which leapfrog with this stencil is stable in {@code
   * dimensions} dimensions: the highest eigenvalue of -Laplacian h^2 is dimensions * sum|a_k| (the
   * checkerboard mode, where the weights alternate in sign), and leapfrog needs (c dt / h)^2 * that
   * eigenvalue <= 4. For 2D this is about 0.555.
   */
  public static double courantLimit(int dimensions) {
    double sumAbs = Math.abs(WEIGHTS[0]);
    for (int k = 1; k < WEIGHTS.length; k++) {
      sumAbs += 2 * Math.abs(WEIGHTS[k]);
    }
    return Math.sqrt(4.0 / (dimensions * sumAbs));
  }

  /**
   * The symbol of the discrete second derivative for a plane wave of wavenumber k on a unit grid:
   * -(k h)^2 for the exact derivative; the stencil gives W0 + 2 sum_j Wj cos(j k h). Used to reason
   * about numerical dispersion.
   */
  public static double symbol(double kh) {
    double s = WEIGHTS[0];
    for (int j = 1; j < WEIGHTS.length; j++) {
      s += 2 * WEIGHTS[j] * Math.cos(j * kh);
    }
    return s;
  }
}
