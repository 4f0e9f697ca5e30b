package dev.redwood.examples.rtm.wave;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.lessThan;

import dev.redwood.examples.rtm.model.VelocityModel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A point source in a homogeneous medium against the analytic 2D solution: the Green's function of
 * (1/c^2) u_tt - Laplacian u = delta(x) delta(t), G = c H(ct - r) / (2 pi sqrt(c^2 t^2 - r^2)),
 * convolved with the Ricker wavelet.
 */
class AnalyticGreensFunctionTest {

  private static final double C = 2000;
  private static final double H = 5;
  private static final double F0 = 15;

  /** u(r, t) = integral of G(tau) w(t - tau), with tau = r/c + s^2 to remove the singularity. */
  static double analytic(double r, double t) {
    double span = t - r / C;
    if (span <= 0) {
      return 0;
    }
    double top = Math.sqrt(span);
    int intervals = 4000;
    double ds = top / intervals;
    double sum = 0;
    for (int k = 0; k <= intervals; k++) {
      double s = k * ds;
      double tau = r / C + s * s;
      double f = Math.sqrt(C / (C * tau + r)) * RickerWavelet.value(t - tau, F0) / Math.PI;
      double weight = (k == 0 || k == intervals) ? 1 : (k % 2 == 1 ? 4 : 2);
      sum += weight * f;
    }
    return sum * ds / 3;
  }

  @Test
  void pointSourceMatchesAnalyticSolution() {
    int n = 161;
    float[] v = new float[n * n];
    Arrays.fill(v, (float) C);
    VelocityModel model = new VelocityModel(n, n, H, v);
    TimeAxis time = TimeAxis.forModel(C, H, 0.3, 0.9);
    Medium medium = Medium.of(model, 40, time);
    Propagator propagator = new Propagator(medium, new ScalarStencilKernel());
    double sx = 80 * H;
    double sz = 80 * H;
    double offset = 50 * H;
    GridPoints source = medium.points(new double[] {sx}, new double[] {sz});
    GridPoints receiver = medium.points(new double[] {sx + offset}, new double[] {sz});
    float[] trace = propagator.forward(source, RickerWavelet.sampled(time, F0), receiver, null);

    double errorSquared = 0;
    double normSquared = 0;
    double peakNumeric = 0;
    double peakAnalytic = 0;
    for (int k = 0; k < time.samples(); k++) {
      double exact = analytic(offset, time.time(k));
      errorSquared += (trace[k] - exact) * (trace[k] - exact);
      normSquared += exact * exact;
      if (Math.abs(exact) > Math.abs(peakAnalytic)) {
        peakAnalytic = exact;
      }
      if (Math.abs(trace[k]) > Math.abs(peakNumeric)) {
        peakNumeric = trace[k];
      }
    }
    double relativeError = Math.sqrt(errorSquared / normSquared);
    System.out.printf(
        "analytic peak %.6e, numeric peak %.6e, relative L2 error %.4f%n",
        peakAnalytic, peakNumeric, relativeError);
    assertThat(peakNumeric / peakAnalytic, closeTo(1, 0.005));
    assertThat(relativeError, lessThan(0.02));
  }
}
