package dev.redwood.examples.rtm.wave;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import dev.redwood.examples.rtm.model.VelocityModel;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kernels against a plain transcription of the update formula, on random fields over a
 * heterogeneous model with a sponge, so both the damped and the undamped runs are exercised (the
 * damped ones across the frame between columns), with the vector kernel's partial last vectors and,
 * in the last column, where such a vector would read past the array, its scalar finish.
 */
class StencilKernelTest {

  /** next = a u - b p + c (2 W0 u + sum_k Wk (4 neighbours at distance k)), no shortcuts. */
  static float[] reference(float[] u, float[] p, WaveCoefficients k) {
    PaddedGrid g = k.grid();
    int n = g.nzPadded();
    double[] w = {
      StencilWeights.W0, StencilWeights.W1, StencilWeights.W2, StencilWeights.W3, StencilWeights.W4
    };
    float[] next = new float[u.length];
    for (int x = 4; x < g.nxPadded() - 4; x++) {
      for (int z = 4; z < n - 4; z++) {
        int i = x * n + z;
        double lap = 2 * w[0] * u[i];
        for (int r = 1; r <= 4; r++) {
          lap += w[r] * (u[i - r] + u[i + r] + u[i - r * n] + u[i + r * n]);
        }
        double v = (double) k.a()[i] * u[i] - (double) k.b()[i] * p[i] + k.c()[i] * lap;
        next[i] = Math.abs(v) < StencilKernel.FLUSH_BELOW ? 0f : (float) v;
      }
    }
    return next;
  }

  static WaveCoefficients coefficients(int nz, int nx) {
    float[] v = new float[nz * nx];
    Random random = new Random(2);
    for (int i = 0; i < v.length; i++) {
      v[i] = 1500f + 2000f * random.nextFloat();
    }
    VelocityModel model = new VelocityModel(nz, nx, 10, v);
    return Medium.of(model, 13, TimeAxis.forModel(model.max(), 10, 0.1, 0.9)).coefficients();
  }

  static float[] randomField(int size, long seed) {
    Random random = new Random(seed);
    float[] f = new float[size];
    for (int i = 0; i < size; i++) {
      f[i] = (float) random.nextGaussian();
    }
    return f;
  }

  @Test
  void kernelsMatchTheFormula() {
    // 37 and 29 rows: runs that are not multiples of any vector length.
    WaveCoefficients k = coefficients(37, 29);
    assertThat(k.interiorUndamped(), is(true));
    int size = k.grid().size();
    float[] u = framed(randomField(size, 1), k.grid());
    float[] p = framed(randomField(size, 2), k.grid());
    float[] expected = reference(u, p, k);
    for (StencilKernel kernel :
        new StencilKernel[] {new ScalarStencilKernel(), StencilKernels.best()}) {
      float[] next = new float[size];
      kernel.step(u, p, next, k);
      double worst = 0;
      for (int i = 0; i < size; i++) {
        worst = Math.max(worst, Math.abs(next[i] - expected[i]) / (1 + Math.abs(expected[i])));
      }
      assertThat(kernel.name() + " deviates from the formula", worst, lessThan(1e-5));
      // In place (next = previous) gives the same result.
      float[] inPlace = p.clone();
      kernel.step(u, inPlace, inPlace, k);
      assertThat(kernel.name() + " in place", inPlace, equalTo(next));
      assertFrameZero(kernel.name(), inPlace, k.grid());
    }
  }

  @Test
  void twoStepsInOneSweepMatchTwoSteps() {
    WaveCoefficients k = coefficients(37, 29);
    PaddedGrid g = k.grid();
    int n = g.nzPadded();
    int size = g.size();
    float[] u = framed(randomField(size, 3), g);
    float[] p = framed(randomField(size, 4), g);
    int sourceColumn = g.offset() + 11;
    // One source in the physical domain, one in the top sponge: the contract holds at any row.
    int[] sources = {g.index(g.offset() + 5, sourceColumn), g.index(g.offset() - 2, sourceColumn)};
    for (StencilKernel kernel :
        new StencilKernel[] {new ScalarStencilKernel(), StencilKernels.best()}) {
      // Two steps with a value added between them in two neighbouring columns.
      float[] expectedCurrent = u.clone();
      float[] expectedPrevious = p.clone();
      kernel.step(expectedCurrent, expectedPrevious, expectedPrevious, k);
      float[] levelOne = expectedPrevious.clone();
      addSources(expectedPrevious, sources, n);
      kernel.step(expectedPrevious, expectedCurrent, expectedCurrent, k);

      float[] current = u.clone();
      float[] previous = p.clone();
      int[] calls = {0};
      kernel.stepTwice(
          current,
          previous,
          k,
          x -> {
            assertThat("column order", x, equalTo(StencilWeights.RADIUS + calls[0]++));
            // u[n+1] is final up to column x, and u[n] not yet overwritten from column x - 1 on.
            assertThat(slice(previous, x, n), equalTo(slice(levelOne, x, n)));
            assertThat(slice(current, x - 1, n), equalTo(slice(u, x - 1, n)));
            if (x == sourceColumn) {
              addSources(previous, sources, n);
            }
          });
      assertThat(calls[0], equalTo(g.nxPadded() - 2 * StencilWeights.RADIUS));
      assertThat(kernel.name() + " u[n+1]", previous, equalTo(expectedPrevious));
      assertThat(kernel.name() + " u[n+2]", current, equalTo(expectedCurrent));
      assertFrameZero(kernel.name() + " u[n+1]", previous, g);
      assertFrameZero(kernel.name() + " u[n+2]", current, g);
    }
  }

  /** Each source spread over its cell and the one to its left, as a bilinear point source is. */
  private static void addSources(float[] field, int[] sources, int n) {
    for (int source : sources) {
      field[source - n] += 1f;
      field[source] += 1f;
    }
  }

  /**
   * The kernels sweep runs through the frame between columns (its coefficients are zero): it must
   * come out +0.0 bit for bit, or later steps would read a boundary that is not there.
   */
  private static void assertFrameZero(String what, float[] field, PaddedGrid g) {
    for (int x = 0; x < g.nxPadded(); x++) {
      for (int z = 0; z < g.nzPadded(); z++) {
        if (g.inFrame(z, x)) {
          assertThat(
              what + " frame cell (" + z + ", " + x + ")",
              Float.floatToRawIntBits(field[g.index(z, x)]),
              equalTo(0));
        }
      }
    }
  }

  private static float[] framed(float[] field, PaddedGrid g) {
    for (int x = 0; x < g.nxPadded(); x++) {
      for (int z = 0; z < g.nzPadded(); z++) {
        if (g.inFrame(z, x)) {
          field[g.index(z, x)] = 0;
        }
      }
    }
    return field;
  }

  private static float[] slice(float[] field, int column, int n) {
    return Arrays.copyOfRange(field, column * n, (column + 1) * n);
  }

  @Test
  void vectorKernelIsUsedWhenTheModuleIsPresent() {
    // Surefire starts the test JVM with --add-modules=jdk.incubator.vector (see the pom).
    assertThat(StencilKernels.vectorApiAvailable(), is(true));
    assertThat(StencilKernels.best(), instanceOf(VectorStencilKernel.class));
  }

  @Test
  void tinyValuesAreFlushedToZero() {
    WaveCoefficients k = coefficients(20, 20);
    int size = k.grid().size();
    float[] u = new float[size];
    float[] p = new float[size];
    int centre = k.grid().physicalIndex(10, 10);
    u[centre] = 1e-31f;
    float[] next = new float[size];
    StencilKernels.best().step(u, p, next, k);
    for (float v : next) {
      assertThat(v, equalTo(0f));
    }
    u[centre] = 1e-20f;
    StencilKernels.best().step(u, p, next, k);
    assertThat(Math.abs(next[centre]), greaterThan(0f));
  }
}
