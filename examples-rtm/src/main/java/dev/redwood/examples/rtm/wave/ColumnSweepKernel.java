package dev.redwood.examples.rtm.wave;

import static dev.redwood.examples.rtm.wave.StencilWeights.RADIUS;

import java.util.function.IntConsumer;

/**
 * The loop structure the kernels share: the grid is swept column by column, each column cut into
 * runs of damped cells (sponge: the full update with a and b) and undamped cells (the physical
 * domain when {@link WaveCoefficients#interiorUndamped()}: a = 2, b = 1, so the arrays a and b need
 * not be read). Subclasses do the arithmetic of one run.
 *
 * <p>The unit of the sweep is a segment: the cells from the top of column x's physical domain to
 * the top of column x + 1's, i.e. the physical part of column x, then the bottom sponge of x, the
 * frame between the columns and the top sponge of x + 1 as one damped run (the frame's
 * coefficients are zero, so it stays zero). Two runs per column instead of three: each run costs a
 * fixed setup (bounds checks hoisted out of its loop, the last partial vector), which on grids
 * that fit the cache measured 4-9% of a step in Java.
 */
abstract class ColumnSweepKernel implements StencilKernel {

  @Override
  public final void step(float[] current, float[] previous, float[] next, WaveCoefficients k) {
    int last = k.grid().nxPadded() - RADIUS;
    for (int x = RADIUS; x < last; x++) {
      segment(x, current, previous, next, k);
    }
  }

  /**
   * How far the second step of {@link #stepTwice} trails the first, in segments. Segment y reads
   * u[n+1] in columns y - RADIUS to y + 1 + RADIUS (the last above the physical rows only) and
   * overwrites u[n] in columns y and y + 1, which the first step reads last for segment y + 1 +
   * RADIUS. Trailing by one more, the second step has read nothing from column x - 1 on, at any
   * row, when {@code columnWritten(x)} runs.
   */
  static final int LAG = RADIUS + 2;

  /**
   * The two steps in one sweep: the second step follows the first {@link #LAG} segments behind, so
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
        // Segment x completes column x (its top was in segment x - 1).
        segment(x, current, previous, previous, k);
        columnWritten.accept(x);
      }
      int behind = x - LAG;
      if (behind >= RADIUS) {
        segment(behind, previous, current, current, k);
      }
    }
  }

  /**
   * Segment x: from the top of column x's physical rows to the top of column x + 1's; the first
   * segment starts at the top of column RADIUS, the last ends at the bottom of its column.
   */
  private void segment(
      int x, float[] current, float[] previous, float[] next, WaveCoefficients k) {
    PaddedGrid grid = k.grid();
    int n = grid.nzPadded();
    int top = grid.offset();
    int from = x == RADIUS ? x * n + RADIUS : x * n + top;
    int to = x == grid.nxPadded() - RADIUS - 1 ? (x + 1) * n - RADIUS : (x + 1) * n + top;
    if (k.interiorUndamped() && x >= top && x < top + grid.nx()) {
      // A physical column starts its segment (x == RADIUS only when there is no sponge).
      int bottom = from + grid.nz();
      undamped(current, previous, next, k, from, bottom, n);
      damped(current, previous, next, k, bottom, to, n);
    } else {
      damped(current, previous, next, k, from, to, n);
    }
  }

  /** next = a u - b previous + c lap over indices [from, to) of the grid. */
  abstract void damped(
      float[] current, float[] previous, float[] next, WaveCoefficients k, int from, int to, int n);

  /** next = 2 u - previous + c lap over indices [from, to) of the grid. */
  abstract void undamped(
      float[] current, float[] previous, float[] next, WaveCoefficients k, int from, int to, int n);
}
