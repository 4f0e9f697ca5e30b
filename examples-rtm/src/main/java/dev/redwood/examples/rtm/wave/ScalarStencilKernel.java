package dev.redwood.examples.rtm.wave;

import static dev.redwood.examples.rtm.wave.StencilWeights.W0;
import static dev.redwood.examples.rtm.wave.StencilWeights.W1;
import static dev.redwood.examples.rtm.wave.StencilWeights.W2;
import static dev.redwood.examples.rtm.wave.StencilWeights.W3;
import static dev.redwood.examples.rtm.wave.StencilWeights.W4;

/**
 * The stencil in plain Java loops: the fallback when the JVM runs without the Vector API module,
 * and the reference the vector kernel is tested against.
 */
public final class ScalarStencilKernel extends ColumnSweepKernel {

  /** h^2 times the Laplacian at index i (unit grid). */
  static float laplacian(float[] u, int i, int n) {
    return 2 * W0 * u[i]
        + W1 * (u[i - 1] + u[i + 1] + u[i - n] + u[i + n])
        + W2 * (u[i - 2] + u[i + 2] + u[i - 2 * n] + u[i + 2 * n])
        + W3 * (u[i - 3] + u[i + 3] + u[i - 3 * n] + u[i + 3 * n])
        + W4 * (u[i - 4] + u[i + 4] + u[i - 4 * n] + u[i + 4 * n]);
  }

  static float flush(float v) {
    return Math.abs(v) < FLUSH_BELOW ? 0f : v;
  }

  @Override
  void update(
      float[] current,
      float[] previous,
      float[] next,
      WaveCoefficients k,
      int from,
      int split,
      int to,
      int n) {
    float[] a = k.a();
    float[] b = k.b();
    float[] c = k.c();
    int i = from;
    for (; i < split; i++) {
      next[i] = flush(2 * current[i] - previous[i] + c[i] * laplacian(current, i, n));
    }
    for (; i < to; i++) {
      next[i] = flush(a[i] * current[i] - b[i] * previous[i] + c[i] * laplacian(current, i, n));
    }
  }

  @Override
  public String name() {
    return "scalar Java";
  }
}
