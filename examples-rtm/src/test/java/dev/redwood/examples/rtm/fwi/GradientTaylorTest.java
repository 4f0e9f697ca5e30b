package dev.redwood.examples.rtm.fwi;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;

import dev.redwood.examples.rtm.model.GaussianSmoothing;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.survey.ShotGeometry;
import dev.redwood.examples.rtm.survey.ShotModelling;
import dev.redwood.examples.rtm.survey.ShotRecord;
import dev.redwood.examples.rtm.wave.Medium;
import dev.redwood.examples.rtm.wave.TimeAxis;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Taylor test of the FWI gradient: with J the misfit, g its gradient at m0 and dm a direction,
 * |J(m0 + h dm) - J(m0)| must fall like h (first order) and |J(m0 + h dm) - J(m0) - h g.dm| like
 * h^2 (second order) as h is halved; the log-log slopes are checked against 1 and 2 with a relative
 * tolerance of 0.1.
 */
class GradientTaylorTest {

  static final double FREQUENCY = 12;

  static VelocityModel trueModel(int nz, int nx, double h) {
    float[] v = new float[nz * nx];
    for (int ix = 0; ix < nx; ix++) {
      for (int iz = 0; iz < nz; iz++) {
        double dz = (iz - nz * 0.6) / 6.0;
        double dx = (ix - nx * 0.5) / 8.0;
        v[ix * nz + iz] =
            (float) (1600 + 900.0 * iz / (nz - 1) + 400 * Math.exp(-(dz * dz + dx * dx)));
      }
    }
    return new VelocityModel(nz, nx, h, v);
  }

  @Test
  void gradientPassesTheTaylorTest() {
    int nz = 40;
    int nx = 60;
    double h = 10;
    VelocityModel truth = trueModel(nz, nx, h);
    VelocityModel start = GaussianSmoothing.smooth(truth, 60);
    TimeAxis time = TimeAxis.forModel(truth.max() * 1.15, h, 0.5, 0.9);
    int sponge = 20;
    Medium startMedium = Medium.of(start, sponge, time);
    float[] damping = startMedium.damping();

    double[] rx = new double[30];
    double[] rz = new double[30];
    for (int r = 0; r < rx.length; r++) {
      rx[r] = 10 + 20 * r;
      rz[r] = 20;
    }
    ShotGeometry shot = new ShotGeometry(0, 250, 30, rx, rz);
    ShotRecord observed = ShotModelling.record(Medium.of(truth, sponge, time), shot, FREQUENCY);

    MisfitGradient at = ShotGradient.of(startMedium, observed, FREQUENCY);
    float[] m0 = start.squaredSlowness();
    // A smooth random direction, 10% of m0 at its largest, touching the model edges (so the
    // sponge continuation matters).
    Random random = new Random(11);
    float[] noise = new float[m0.length];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) random.nextGaussian();
    }
    float[] dm = GaussianSmoothing.smooth2d(noise, nz, nx, 3);
    float maxAbs = 0;
    for (float v : dm) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    double directional = 0;
    for (int i = 0; i < dm.length; i++) {
      dm[i] = dm[i] / maxAbs * 0.1f * m0[i];
      directional += (double) at.gradient()[i] * dm[i];
    }

    int steps = 5;
    double[] first = new double[steps];
    double[] second = new double[steps];
    double step = 1;
    for (int k = 0; k < steps; k++) {
      float[] m = new float[m0.length];
      for (int i = 0; i < m.length; i++) {
        m[i] = (float) (m0[i] + step * dm[i]);
      }
      VelocityModel perturbed = VelocityModel.fromSquaredSlowness(nz, nx, h, m);
      double j =
          ShotGradient.misfit(
              Medium.withDamping(perturbed, sponge, time, damping), observed, FREQUENCY);
      first[k] = Math.abs(j - at.misfit());
      second[k] = Math.abs(j - at.misfit() - step * directional);
      System.out.printf("h = %.4f  |dJ| = %.6e  |dJ - h g.dm| = %.6e%n", step, first[k], second[k]);
      step /= 2;
    }
    double slope1 = Math.log(first[0] / first[steps - 1]) / Math.log(Math.pow(2, steps - 1));
    double slope2 = Math.log(second[0] / second[steps - 1]) / Math.log(Math.pow(2, steps - 1));
    System.out.printf("slopes: first order %.3f, second order %.3f%n", slope1, slope2);
    assertThat(slope1, closeTo(1, 0.1));
    assertThat(slope2, closeTo(2, 0.2));
    for (int k = 1; k < steps; k++) {
      double local2 = Math.log(second[k - 1] / second[k]) / Math.log(2);
      assertThat(
          "second-order slope between steps " + (k - 1) + " and " + k, local2, closeTo(2, 0.2));
    }
  }
}
