package dev.redwood.examples.rtm.wave;

import static dev.redwood.examples.rtm.wave.StencilWeights.RADIUS;

/**
 * The loop structure the kernels share: the grid is swept column by column, and each column is
 * cut into runs of damped cells (sponge: the full update with a and b) and undamped cells (the
 * physical domain when {@link WaveCoefficients#interiorUndamped()}: a = 2, b = 1, so the arrays a and
 * b need not be read). Subclasses do the arithmetic of one run.
 */
abstract class ColumnSweepKernel implements StencilKernel {

  @Override
  public final void step(float[] current, float[] previous, float[] next, WaveCoefficients k) {
    PaddedGrid grid = k.grid();
    int n = grid.nzPadded();
    int first = RADIUS;
    int last = grid.nxPadded() - RADIUS;
    boolean split = k.interiorUndamped();
    int x0 = grid.offset();
    int x1 = grid.offset() + grid.nx();
    int z0 = grid.offset();
    int z1 = grid.offset() + grid.nz();
    for (int x = first; x < last; x++) {
      int column = x * n;
      if (split && x >= x0 && x < x1) {
        damped(current, previous, next, k, column + RADIUS, column + z0, n);
        undamped(current, previous, next, k, column + z0, column + z1, n);
        damped(current, previous, next, k, column + z1, column + n - RADIUS, n);
      } else {
        damped(current, previous, next, k, column + RADIUS, column + n - RADIUS, n);
      }
    }
  }

  /** next = a u - b previous + c lap over indices [from, to) of one column. */
  abstract void damped(
      float[] current, float[] previous, float[] next, WaveCoefficients k, int from, int to, int n);

  /** next = 2 u - previous + c lap over indices [from, to) of one column. */
  abstract void undamped(
      float[] current, float[] previous, float[] next, WaveCoefficients k, int from, int to, int n);
}
