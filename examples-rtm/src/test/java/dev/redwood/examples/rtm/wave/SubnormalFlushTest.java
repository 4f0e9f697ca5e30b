package dev.redwood.examples.rtm.wave;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;

import dev.redwood.examples.rtm.model.VelocityModel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A long run in which the wavefield decays away in the sponge must never hold a subnormal float
 * (nonzero with magnitude below Float.MIN_NORMAL), since subnormal arithmetic runs several times
 * slower. The same run with the update done without flushing does produce subnormals, which shows
 * the run reaches the regime where they appear.
 */
class SubnormalFlushTest {

  @Test
  void decayingRunHoldsNoSubnormals() {
    // Note: interiorUndamped() is false here, so the kernels' damped path runs everywhere.
    DecayRun flushed = run(StencilKernels.best());
    assertThat("steps with subnormal values", flushed.stepsWithSubnormals, equalTo(0));
    assertThat("the field decayed through the float range", flushed.finalMax, lessThan(1e-30));
    assertThat(flushed.peak, greaterThan(1e-6));

    DecayRun unflushed = run(new UnflushedKernel());
    assertThat(
        "without flushing, the decay produces subnormals",
        unflushed.stepsWithSubnormals,
        greaterThan(0));
  }

  private record DecayRun(int stepsWithSubnormals, double peak, double finalMax) {}

  private static DecayRun run(StencilKernel kernel) {
    int n = 24;
    float[] v = new float[n * n];
    Arrays.fill(v, 2000f);
    VelocityModel model = new VelocityModel(n, n, 10, v);
    // Damping everywhere at a rate of 20/s, so that every mode of the box, even the slowest
    // (about 2 Hz), decays like exp(-10 t): over 12 s of a 25 Hz Ricker source the field goes
    // from about 1e-2 through the whole float range. (A sponge only at the edges leaves slow,
    // overdamped low modes that take far longer.)
    TimeAxis time = TimeAxis.forModel(2000, 10, 12, 0.9);
    PaddedGrid grid = new PaddedGrid(n, n, 20);
    float[] damping = new float[grid.size()];
    Arrays.fill(damping, 20f / (2000f * 2000f));
    Medium medium = Medium.withDamping(model, 20, time, damping);
    Propagator propagator = new Propagator(medium, kernel);
    GridPoints source = medium.points(new double[] {120}, new double[] {120});
    float[] wavelet = RickerWavelet.sampled(time, 25);
    int[] withSubnormals = {0};
    double[] peak = {0};
    double[] last = {0};
    propagator.forward(
        source,
        wavelet,
        source,
        (step, current, previous) -> {
          double max = 0;
          boolean subnormal = false;
          for (float value : current) {
            float a = Math.abs(value);
            max = Math.max(max, a);
            if (a != 0 && a < Float.MIN_NORMAL) {
              subnormal = true;
            }
          }
          peak[0] = Math.max(peak[0], max);
          last[0] = max;
          if (subnormal) {
            withSubnormals[0]++;
          }
        });
    return new DecayRun(withSubnormals[0], peak[0], last[0]);
  }

  /** The update without the flush, to show what the flush prevents. */
  private static final class UnflushedKernel implements StencilKernel {
    @Override
    public void step(float[] current, float[] previous, float[] next, WaveCoefficients k) {
      PaddedGrid g = k.grid();
      int n = g.nzPadded();
      for (int x = 4; x < g.nxPadded() - 4; x++) {
        for (int i = x * n + 4; i < x * n + n - 4; i++) {
          next[i] =
              k.a()[i] * current[i]
                  - k.b()[i] * previous[i]
                  + k.c()[i] * ScalarStencilKernel.laplacian(current, i, n);
        }
      }
    }

    @Override
    public String name() {
      return "unflushed";
    }
  }
}
