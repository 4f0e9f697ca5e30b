package dev.redwood.examples.acoustics.fdtd;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Both kernels compute the same floats, so a bake does not depend on the worker's JVM flags. */
class FivePointKernelTest {

  @Test
  void vectorAndPlainKernelsAgreeBitForBit() {
    // The build runs tests with the Vector API module; without it there is nothing to compare.
    assumeTrue(ModuleLayer.boot().findModule(FivePointKernel.VECTOR_MODULE).isPresent());
    FivePointKernel vector = FivePointKernel.best();
    assertThat(vector.name(), containsString("Vector API"));
    int nx = 67; // not a multiple of any vector length: the loop's tail runs too
    int ny = 41;
    int n = nx * ny;
    Random random = new Random(3);
    float[] a = new float[n];
    float[] b = new float[n];
    float[] c = new float[n];
    float[] cur = new float[n];
    float[] next1 = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = random.nextFloat();
      b[i] = random.nextFloat();
      c[i] = random.nextFloat();
      cur[i] = (float) random.nextGaussian();
      next1[i] = (float) random.nextGaussian();
    }
    float[] next2 = next1.clone();
    new PlainFivePointKernel().update(a, b, c, cur, next1, nx + 3, n - nx - 5, nx);
    vector.update(a, b, c, cur, next2, nx + 3, n - nx - 5, nx);
    for (int i = 0; i < n; i++) {
      assertThat(
          "cell " + i, Float.floatToRawIntBits(next2[i]), is(Float.floatToRawIntBits(next1[i])));
    }
  }
}
