package dev.redwood.examples.rtm.wave;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThan;

import dev.redwood.examples.rtm.model.VelocityModel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The absorbing layer reflects little: a trace recorded next to the boundary of a small model is
 * compared with the same trace in a model large enough that nothing comes back from its boundary
 * within the time window; the difference, which is what the small model's sponge reflects, must
 * stay below 1% of the direct wave.
 */
class SpongeReflectionTest {

  @Test
  void spongeReflectsLessThanOnePercent() {
    double h = 10;
    double frequency = 15;
    double duration = 0.9;
    float[] small = trace(81, 81, 40, h, frequency, duration, 400, 400, 700);
    // 400 cells more on every side: the first reflection from its edge arrives after 4 s.
    float[] large = trace(881, 881, 40, h, frequency, duration, 4400, 4400, 4700);
    double direct = 0;
    double reflected = 0;
    for (int n = 0; n < small.length; n++) {
      direct = Math.max(direct, Math.abs(large[n]));
      reflected = Math.max(reflected, Math.abs(small[n] - large[n]));
    }
    System.out.printf(
        "direct %.3e, reflected by the sponge %.3e (%.3f%%)%n",
        direct, reflected, 100 * reflected / direct);
    assertThat(reflected / direct, lessThan(0.01));
  }

  private static float[] trace(
      int nz,
      int nx,
      int sponge,
      double h,
      double f,
      double duration,
      double sx,
      double sz,
      double rx) {
    float[] v = new float[nz * nx];
    Arrays.fill(v, 2000f);
    VelocityModel model = new VelocityModel(nz, nx, h, v);
    TimeAxis time = TimeAxis.forModel(2000, h, duration, 0.9);
    Medium medium = Medium.of(model, sponge, time);
    Propagator propagator = new Propagator(medium);
    return propagator.forward(
        medium.points(new double[] {sx}, new double[] {sz}),
        RickerWavelet.sampled(time, f),
        medium.points(new double[] {rx}, new double[] {sz}),
        null);
  }
}
