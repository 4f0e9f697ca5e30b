package dev.redwood.examples.rtm.wave;

import static dev.redwood.examples.rtm.wave.StencilWeights.RADIUS;

import java.util.function.IntConsumer;

/**
 * The loop structure the kernels share: the grid is swept in segments, each segment holding
 * undamped cells (the physical domain when {@link WaveCoefficients#interiorUndamped()}: a = 2, b =
 * 1, so the arrays a and b need not be read) followed by damped ones (sponge: the full update with
 * a and b). Subclasses do the arithmetic of one segment.
 *
 * <p>A segment runs from the top of column x's physical rows to the top of column x + 1's: the
 * physical part of column x, then the bottom sponge of x, the frame between the columns and the top
 * sponge of x + 1 (the frame's coefficients are zero, so it stays zero). The vector kernel sweeps a
 * segment in one loop where columns used to take three runs: each loop costs a fixed setup (bounds
 * checks hoisted out of it, the last partial vector) that on grids fitting the cache measured
 * 10-15% of a step in Java.
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
  private void segment(int x, float[] current, float[] previous, float[] next, WaveCoefficients k) {
    PaddedGrid grid = k.grid();
    int n = grid.nzPadded();
    int top = grid.offset();
    int from = x == RADIUS ? x * n + RADIUS : x * n + top;
    int to = x == grid.nxPadded() - RADIUS - 1 ? (x + 1) * n - RADIUS : (x + 1) * n + top;
    // A physical column starts its segment (x == RADIUS only when there is no sponge).
    boolean physical = k.interiorUndamped() && x >= top && x < top + grid.nx();
    update(current, previous, next, k, from, physical ? from + grid.nz() : from, to, n);
  }

  /**
   * next = 2 u - previous + c lap over indices [from, split), next = a u - b previous + c lap over
   * [split, to). Where a = 2 and b = 1 the two are the same bit for bit (2 u and 1 previous are
   * exact), so a kernel may apply the damped form to undamped cells.
   */
  abstract void update(
      float[] current,
      float[] previous,
      float[] next,
      WaveCoefficients k,
      int from,
      int split,
      int to,
      int n);
}
