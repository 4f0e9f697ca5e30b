package dev.redwood.examples.rtm.wave;

import static dev.redwood.examples.rtm.wave.StencilWeights.RADIUS;

import java.util.function.IntConsumer;

/**
 * The loop structure the kernels share: the grid is swept column by column, and each column is
 * cut into runs of damped cells (sponge: the full update with a and b) and undamped cells (the
 * physical domain when {@link WaveCoefficients#interiorUndamped()}: a = 2, b = 1, so the arrays a and
 * b need not be read). Subclasses do the arithmetic of one run.
 */
abstract class ColumnSweepKernel implements StencilKernel {

  @Override
  public final void step(float[] current, float[] previous, float[] next, WaveCoefficients k) {
    int last = k.grid().nxPadded() - RADIUS;
    for (int x = RADIUS; x < last; x++) {
      column(x, current, previous, next, k);
    }
  }

  /**
   * How far the second step of {@link #stepTwice} trails the first, in columns. Column y of the
   * second step reads u[n+1] in columns y - RADIUS to y + RADIUS and overwrites u[n] in column y,
   * which the first step reads last for column y + RADIUS. One column more than the stencil's reach
   * lets {@code columnWritten} add to a column and its left neighbour before either is read.
   */
  static final int LAG = RADIUS + 1;

  /**
   * The two steps in one sweep: the second step follows the first {@link #LAG} columns behind, so
   * the columns both steps touch (about twenty) stay in the core's cache between the two updates,
   * and each array crosses the memory bus once for two steps. On grids larger than the last-level
   * cache, where one step at a time waits on memory, this is the faster schedule.
   */
  @Override
  public final void stepTwice(
      float[] current, float[] previous, WaveCoefficients k, IntConsumer columnWritten) {
    int last = k.grid().nxPadded() - RADIUS;
    for (int x = RADIUS; x < last + LAG; x++) {
      if (x < last) {
        column(x, current, previous, previous, k);
        columnWritten.accept(x);
      }
      int behind = x - LAG;
      if (behind >= RADIUS) {
        column(behind, previous, current, current, k);
      }
    }
  }

  /** One column of a step: its damped and undamped runs. */
  private void column(int x, float[] current, float[] previous, float[] next, WaveCoefficients k) {
    PaddedGrid grid = k.grid();
    int n = grid.nzPadded();
    int column = x * n;
    int offset = grid.offset();
    if (k.interiorUndamped() && x >= offset && x < offset + grid.nx()) {
      int z0 = offset;
      int z1 = offset + grid.nz();
      damped(current, previous, next, k, column + RADIUS, column + z0, n);
      undamped(current, previous, next, k, column + z0, column + z1, n);
      damped(current, previous, next, k, column + z1, column + n - RADIUS, n);
    } else {
      damped(current, previous, next, k, column + RADIUS, column + n - RADIUS, n);
    }
  }

  /** next = a u - b previous + c lap over indices [from, to) of one column. */
  abstract void damped(
      float[] current, float[] previous, float[] next, WaveCoefficients k, int from, int to, int n);

  /** next = 2 u - previous + c lap over indices [from, to) of one column. */
  abstract void undamped(
      float[] current, float[] previous, float[] next, WaveCoefficients k, int from, int to, int n);
}
