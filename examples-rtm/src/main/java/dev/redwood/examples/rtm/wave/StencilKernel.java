package dev.redwood.examples.rtm.wave;

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

  /** A short name for logs and benchmark output. */
  String name();
}
