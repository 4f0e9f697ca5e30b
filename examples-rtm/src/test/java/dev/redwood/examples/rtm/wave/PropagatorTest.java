package dev.redwood.examples.rtm.wave;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.redwood.examples.rtm.model.VelocityModel;
import java.util.Arrays;
import java.util.Random;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The propagator's two schedules: modelling two steps per sweep of the grid records exactly what
 * one step per sweep does, including the source sample injected between the two steps of a sweep at
 * a point between two columns; and it is chosen for large grids when no listener needs every level.
 */
class PropagatorTest {

  @ParameterizedTest(name = "{0} samples")
  @ValueSource(ints = {120, 121})
  void twoStepsPerSweepRecordWhatSingleStepsRecord(int samples) {
    int nz = 40;
    int nx = 50;
    float[] v = new float[nz * nx];
    Random random = new Random(5);
    for (int i = 0; i < v.length; i++) {
      v[i] = 1800f + 1200f * random.nextFloat();
    }
    VelocityModel model = new VelocityModel(nz, nx, 10, v);
    TimeAxis stable = TimeAxis.forModel(model.max(), 10, 0.1, 0.9);
    Medium medium = Medium.of(model, 12, new TimeAxis(stable.microseconds(), samples));
    // Between columns 20 and 21 and rows 7 and 8, so the source spreads over two columns.
    GridPoints source = medium.points(new double[] {203}, new double[] {77});
    double[] rx = new double[nx];
    double[] rz = new double[nx];
    for (int i = 0; i < nx; i++) {
      rx[i] = 10.0 * i;
      rz[i] = 20;
    }
    GridPoints receivers = medium.points(rx, rz);
    float[] wavelet = RickerWavelet.sampled(medium.time(), 25);
    for (StencilKernel kernel :
        new StencilKernel[] {new ScalarStencilKernel(), StencilKernels.best()}) {
      Propagator propagator = new Propagator(medium, kernel);
      float[] twoPerSweep = propagator.forward(source, wavelet, receivers, null, true);
      float[] onePerSweep = propagator.forward(source, wavelet, receivers, null, false);
      assertThat(kernel.name(), twoPerSweep, equalTo(onePerSweep));
      float peak = 0;
      for (float s : twoPerSweep) {
        peak = Math.max(peak, Math.abs(s));
      }
      assertThat("the wave reached the receivers", peak, greaterThan(0f));
    }
  }

  @Test
  void largeGridsWithoutAListenerAreModelledTwoStepsPerSweep() {
    for (int n : new int[] {1400, 100}) {
      float[] v = new float[n * n];
      Arrays.fill(v, 2000f);
      VelocityModel model = new VelocityModel(n, n, 10, v);
      TimeAxis stable = TimeAxis.forModel(model.max(), 10, 0.1, 0.9);
      Medium medium = Medium.of(model, 10, new TimeAxis(stable.microseconds(), 6));
      boolean large = medium.grid().size() >= Propagator.TWO_STEPS_PER_SWEEP_FROM;
      assertThat(large, is(n == 1400));
      CountingKernel kernel = new CountingKernel();
      Propagator propagator = new Propagator(medium, kernel);
      GridPoints source = medium.points(new double[] {500}, new double[] {500});
      float[] wavelet = RickerWavelet.sampled(medium.time(), 10);
      propagator.forward(source, wavelet, source, null);
      // Five steps: two sweeps of two and a single one, or five single ones.
      assertThat(kernel.twice, is(large ? 2 : 0));
      assertThat(kernel.single, is(large ? 1 : 5));
      propagator.forward(source, wavelet, source, (level, current, previous) -> {});
      assertThat("a listener sees every level", kernel.single, is(large ? 6 : 10));
    }
  }

  private static final class CountingKernel implements StencilKernel {
    private final StencilKernel inner = StencilKernels.best();
    int single;
    int twice;

    @Override
    public void step(float[] current, float[] previous, float[] next, WaveCoefficients k) {
      single++;
      inner.step(current, previous, next, k);
    }

    @Override
    public void stepTwice(
        float[] current, float[] previous, WaveCoefficients k, IntConsumer columnWritten) {
      twice++;
      inner.stepTwice(current, previous, k, columnWritten);
    }

    @Override
    public String name() {
      return "counting";
    }
  }
}
