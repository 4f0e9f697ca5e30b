package dev.redwood.examples.rtm.imaging;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;

import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.wave.GridPoints;
import dev.redwood.examples.rtm.wave.Medium;
import dev.redwood.examples.rtm.wave.PaddedGrid;
import dev.redwood.examples.rtm.wave.Propagator;
import dev.redwood.examples.rtm.wave.RickerWavelet;
import dev.redwood.examples.rtm.wave.SourceWavefield;
import dev.redwood.examples.rtm.wave.StencilKernels;
import dev.redwood.examples.rtm.wave.TimeAxis;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The dot-product test of the Born modelling / migration pair: for random dm and d, <F dm, d> must
 * equal <dm, F^T d>. Both sides are computed in float32 and summed in double; the tolerance is the
 * one float32 codes use (JUDI: 5e-4), and the pair here does much better since migration is the
 * exact transpose of the discrete recurrence.
 */
class BornAdjointTest {

  static VelocityModel gradientModel(int nz, int nx, double h) {
    float[] v = new float[nz * nx];
    for (int ix = 0; ix < nx; ix++) {
      for (int iz = 0; iz < nz; iz++) {
        v[ix * nz + iz] = 1500f + 1000f * iz / (nz - 1) + 100f * (float) Math.sin(ix * 0.2);
      }
    }
    return new VelocityModel(nz, nx, h, v);
  }

  @Test
  void migrationIsTheAdjointOfBornModelling() {
    VelocityModel model = gradientModel(50, 70, 10);
    TimeAxis time = TimeAxis.forModel(model.max(), model.spacing(), 0.45, 0.9);
    Medium medium = Medium.of(model, 20, time);
    Propagator propagator = new Propagator(medium, StencilKernels.best());
    PaddedGrid grid = medium.grid();
    float[] wavelet = RickerWavelet.sampled(time, 15);
    GridPoints source = medium.points(new double[] {345}, new double[] {25});
    double[] rx = new double[35];
    double[] rz = new double[35];
    for (int r = 0; r < rx.length; r++) {
      rx[r] = 10 + 19.5 * r;
      rz[r] = 15;
    }
    GridPoints receivers = medium.points(rx, rz);

    Random random = new Random(5);
    float[] dm = new float[grid.physicalSize()];
    for (int i = 0; i < dm.length; i++) {
      dm[i] = (float) (random.nextGaussian() * 1e-8);
    }
    float[] d = new float[receivers.count() * time.samples()];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) random.nextGaussian();
    }

    float[] born =
        BornModelling.scattered(propagator, source, wavelet, receivers, grid.zeroPad(dm));
    Migration migration = new Migration(propagator, source, wavelet, receivers);
    migration.forward();
    float[] adjoint = grid.crop(migration.backward(d).image());

    double left = dot(born, d);
    double right = dot(dm, adjoint);
    double mismatch = Math.abs(left - right) / Math.abs(right);
    System.out.printf(
        "<F dm, d> = %.9e, <dm, F'd> = %.9e, relative mismatch %.2e%n", left, right, mismatch);
    assertThat(Math.abs(right), greaterThan(0.0));
    assertThat(mismatch, lessThan(1e-5));
  }

  @Test
  void checkpointedWavefieldReplaysTheForwardRunExactly() {
    VelocityModel model = gradientModel(30, 40, 10);
    TimeAxis time = TimeAxis.forModel(model.max(), model.spacing(), 0.3, 0.9);
    Medium medium = Medium.of(model, 10, time);
    Propagator propagator = new Propagator(medium);
    float[] wavelet = RickerWavelet.sampled(time, 20);
    GridPoints source = medium.points(new double[] {200}, new double[] {100});
    GridPoints receivers = medium.points(new double[] {100}, new double[] {50});
    float[][] all = new float[time.samples()][];
    propagator.forward(
        source, wavelet, receivers, (n, current, previous) -> all[n] = current.clone());
    SourceWavefield replay = new SourceWavefield(propagator, source, wavelet, 7);
    propagator.forward(source, wavelet, receivers, replay);
    for (int n = time.samples() - 1; n >= 0; n--) {
      float[] replayed = replay.at(n);
      for (int i = 0; i < replayed.length; i++) {
        if (replayed[i] != all[n][i]) {
          throw new AssertionError("time level " + n + " differs at cell " + i);
        }
      }
    }
    assertThat(replay.recomputedSteps(), greaterThan(0));
    assertThat(replay.fieldsHeld(), lessThan(time.samples()));
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
