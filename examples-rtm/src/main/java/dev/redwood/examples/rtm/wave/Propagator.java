package dev.redwood.examples.rtm.wave;

import java.util.function.IntConsumer;

/**
 * Runs the wave equation of a {@link Medium} forward in time from a point source (modelling) and
 * backward in time from receiver data (the adjoint wavefield), with the same kernel and
 * coefficients both ways.
 *
 * <p>Time levels: u[0] = u[-1] = 0 and u[n+1] = a u[n] - b u[n-1] + c lap u[n] + q[n] / D1, so the
 * source sample n first shows in u[n+1], and a record holds P u[n] for every n. The adjoint runs
 * mu[j] = a mu[j+1] - b mu[j+2] + c lap mu[j+1] + r[j] / D1 from j = nt - 1 down to 1, with mu = 0
 * past the end, r[j] the receiver data of sample j injected at the receivers: the transpose of the
 * forward recurrence, shifted one sample so that the data of sample j enter at level j.
 */
public final class Propagator {

  /** Sees the forward wavefield at each time level. */
  public interface ForwardListener {
    /** u[n] and u[n-1]; the arrays are reused after the call returns. */
    void at(int n, float[] current, float[] previous);
  }

  /** Sees the adjoint wavefield at each time level, with the two levels after it. */
  public interface AdjointListener {
    /** mu[j], mu[j+1], mu[j+2]; the arrays are reused after the call returns. */
    void at(int j, float[] current, float[] later, float[] latest);
  }

  private final Medium medium;
  private final StencilKernel kernel;

  public Propagator(Medium medium) {
    this(medium, StencilKernels.best());
  }

  public Propagator(Medium medium, StencilKernel kernel) {
    this.medium = medium;
    this.kernel = kernel;
  }

  public Medium medium() {
    return medium;
  }

  public StencilKernel kernel() {
    return kernel;
  }

  /**
   * One forward step from u[n], u[n-1] to u[n+1] (written into {@code next}, which may be {@code
   * previous}), with the wavelet sample n injected as a point source at {@code source} (may be
   * null).
   */
  public void stepForward(
      int n, float[] current, float[] previous, float[] next, GridPoints source, float[] wavelet) {
    WaveCoefficients k = medium.coefficients();
    kernel.step(current, previous, next, k);
    inject(source, next, sourceAmplitude(n, source, wavelet), k);
  }

  /**
   * Two forward steps in one sweep of the grid ({@link StencilKernel#stepTwice}): from u[n] in
   * {@code current} and u[n-1] in {@code previous} to u[n+2] in {@code current} and u[n+1] in
   * {@code previous}, with the wavelet samples n and n + 1 injected, the same fields as two calls
   * of {@link #stepForward}.
   */
  private void stepForwardTwice(
      int n, float[] current, float[] previous, GridPoints source, float[] wavelet) {
    WaveCoefficients k = medium.coefficients();
    float first = sourceAmplitude(n, source, wavelet);
    IntConsumer columnWritten =
        first == 0 ? x -> {} : x -> source.injectInColumn(previous, x, first, k);
    kernel.stepTwice(current, previous, k, columnWritten);
    inject(source, current, sourceAmplitude(n + 1, source, wavelet), k);
  }

  private static void inject(
      GridPoints source, float[] field, float amplitude, WaveCoefficients k) {
    if (amplitude != 0) {
      for (int p = 0; p < source.count(); p++) {
        source.inject(field, p, amplitude, k);
      }
    }
  }

  /** Wavelet sample n as a point force (a delta function: 1 / h^2 on the grid), or 0. */
  private float sourceAmplitude(int n, GridPoints source, float[] wavelet) {
    if (source == null || n >= wavelet.length) {
      return 0;
    }
    double h = medium.spacing();
    return (float) (wavelet[n] / (h * h));
  }

  /**
   * Grids from this many cells up are modelled two steps per sweep when no listener needs every
   * level. There the fields outgrow the last-level cache (32 MB on the machine it was measured on)
   * and one step per sweep waits on memory: two per sweep measured 17-34% faster at 2000^2 and
   * 4000^2 cells. On smaller grids, whose fields stay in the cache, two per sweep measured about as
   * fast (500^2) or slower (1000^2: 8-15% in four of five runs; 300^2: 12%).
   */
  static final int TWO_STEPS_PER_SWEEP_FROM = 2_000_000;

  /**
   * Models one shot: returns the record at the receivers, trace by trace ({@code [r * nt + n]}),
   * and shows every time level to {@code listener} (may be null).
   */
  public float[] forward(
      GridPoints source, float[] wavelet, GridPoints receivers, ForwardListener listener) {
    boolean twoPerSweep = listener == null && medium.grid().size() >= TWO_STEPS_PER_SWEEP_FROM;
    return forward(source, wavelet, receivers, listener, twoPerSweep);
  }

  /**
   * {@link #forward}, taking two steps per sweep of the grid if {@code twoPerSweep} (then {@code
   * listener} must be null: a sweep overwrites u[n] before level n + 1 could be shown with it).
   */
  float[] forward(
      GridPoints source,
      float[] wavelet,
      GridPoints receivers,
      ForwardListener listener,
      boolean twoPerSweep) {
    if (twoPerSweep && listener != null) {
      throw new IllegalArgumentException("a forward listener needs one step per sweep");
    }
    int nt = medium.time().samples();
    int size = medium.grid().size();
    float[] data = new float[receivers.count() * nt];
    float[] u = new float[size];
    float[] previous = new float[size];
    if (listener != null) {
      listener.at(0, u, previous);
    }
    int n = 0;
    if (twoPerSweep) {
      for (; n + 2 < nt; n += 2) {
        stepForwardTwice(n, u, previous, source, wavelet);
        record(previous, receivers, data, n + 1, nt);
        record(u, receivers, data, n + 2, nt);
      }
    }
    for (; n < nt - 1; n++) {
      stepForward(n, u, previous, previous, source, wavelet);
      float[] t = u;
      u = previous;
      previous = t;
      record(u, receivers, data, n + 1, nt);
      if (listener != null) {
        listener.at(n + 1, u, previous);
      }
    }
    return data;
  }

  /**
   * Runs the adjoint wavefield driven by receiver data ({@code [r * nt + n]}), from the last sample
   * to sample 1, showing each level to {@code listener}.
   */
  public void adjoint(GridPoints receivers, float[] data, AdjointListener listener) {
    int nt = medium.time().samples();
    int size = medium.grid().size();
    if (data.length != receivers.count() * nt) {
      throw new IllegalArgumentException(
          "adjoint source has "
              + data.length
              + " samples, expected "
              + receivers.count()
              + " x "
              + nt);
    }
    WaveCoefficients k = medium.coefficients();
    float[] latest = new float[size];
    float[] later = new float[size];
    float[] current = new float[size];
    for (int j = nt - 1; j >= 1; j--) {
      kernel.step(later, latest, current, k);
      for (int r = 0; r < receivers.count(); r++) {
        float amplitude = data[r * nt + j];
        if (amplitude != 0) {
          receivers.inject(current, r, amplitude, k);
        }
      }
      listener.at(j, current, later, latest);
      float[] t = latest;
      latest = later;
      later = current;
      current = t;
    }
  }

  /** Stores the field at the receivers as sample n of the record. */
  public static void record(float[] field, GridPoints receivers, float[] data, int n, int nt) {
    for (int r = 0; r < receivers.count(); r++) {
      data[r * nt + n] = receivers.sample(field, r);
    }
  }
}
