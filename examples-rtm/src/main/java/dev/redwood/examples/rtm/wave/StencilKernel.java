package dev.redwood.examples.rtm.wave;

import java.util.function.IntConsumer;

/**
 * One leapfrog time step of the eighth-order acoustic stencil over a padded grid:
 *
 * <pre>  next = a * current - b * previous + c * (h^2 Laplacian of current)</pre>
 *
 * for every cell except the zero frame of {@link StencilWeights#RADIUS} cells. {@code next} may be
 * the same array as {@code previous} (each cell of previous is read only at its own position,
 * before it is overwritten), which saves one wavefield of memory when the caller does not need
 * u[n-1] afterwards.
 *
 * <p>Values whose magnitude falls below {@link #FLUSH_BELOW} are written as zero. A decaying
 * wavefield otherwise drifts into subnormal floats, which the CPU handles in microcode about three
 * times slower, and Java has no flush-to-zero switch. The threshold is far below any amplitude that
 * matters, and far enough above the subnormal range (1.2e-38) that products of a flushed-away
 * value's neighbours with the stencil weights stay normal.
 */
public interface StencilKernel {

  float FLUSH_BELOW = 1e-30f;

  void step(float[] current, float[] previous, float[] next, WaveCoefficients coefficients);

  /**
   * Two steps, in place: from u[n] in {@code current} and u[n-1] in {@code previous} to u[n+1] in
   * {@code previous} and u[n+2] in {@code current}, with the same results as {@code step(current,
   * previous, previous)} followed by {@code step(previous, current, current)}.
   *
   * <p>{@code columnWritten} is called with every padded column x from {@link
   * StencilWeights#RADIUS} up to {@code nxPadded - RADIUS}, in order, once u[n+1] is final in
   * columns up to x and before the second step has read any of its columns from x - 1 on: what it
   * adds to {@code previous} in columns x - 1 and x (a point source spread over two neighbouring
   * columns) is part of u[n+1] for the second step, as if added between two calls of {@link #step}.
   *
   * <p>This default runs the two steps one after the other; kernels that sweep the grid in column
   * order ({@link ColumnSweepKernel}) do both in one sweep, which reads and writes each array once
   * for two steps instead of twice.
   */
  default void stepTwice(
      float[] current, float[] previous, WaveCoefficients coefficients, IntConsumer columnWritten) {
    step(current, previous, previous, coefficients);
    int last = coefficients.grid().nxPadded() - StencilWeights.RADIUS;
    for (int x = StencilWeights.RADIUS; x < last; x++) {
      columnWritten.accept(x);
    }
    step(previous, current, current, coefficients);
  }

  /** A short name for logs and benchmark output. */
  String name();
}
