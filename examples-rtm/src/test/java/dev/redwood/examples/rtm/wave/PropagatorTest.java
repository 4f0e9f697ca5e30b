package dev.redwood.examples.rtm.wave;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.redwood.examples.rtm.model.VelocityModel;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Modelling without a listener, which takes two steps per sweep of the grid, records exactly what
 * modelling one step at a time does (as with a listener), including the source sample injected
 * between the two steps of a sweep, at a point between two columns.
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
      float[] twoPerSweep = propagator.forward(source, wavelet, receivers, null);
      float[] onePerStep =
          propagator.forward(source, wavelet, receivers, (n, current, previous) -> {});
      assertThat(kernel.name(), twoPerSweep, equalTo(onePerStep));
      float peak = 0;
      for (float s : twoPerSweep) {
        peak = Math.max(peak, Math.abs(s));
      }
      assertThat("the wave reached the receivers", peak, greaterThan(0f));
    }
  }
}
