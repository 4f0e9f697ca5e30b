package dev.redwood.examples.rtm.fwi;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.lessThan;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** L-BFGS on problems with known minima. */
class LbfgsTest {

  @Test
  void minimisesTheRosenbrockFunction() throws Exception {
    int n = 6;
    double[] lower = new double[n];
    double[] upper = new double[n];
    Arrays.fill(lower, -5);
    Arrays.fill(upper, 5);
    double[] start = new double[n];
    Arrays.fill(start, -1.2);
    Lbfgs.Objective rosenbrock =
        x -> {
          double f = 0;
          double[] g = new double[n];
          for (int i = 0; i < n - 1; i++) {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            f += 100 * a * a + b * b;
            g[i] += -400 * x[i] * a - 2 * b;
            g[i + 1] += 200 * a;
          }
          return new Lbfgs.Evaluation(f, g);
        };
    Lbfgs.LbfgsResult result =
        new Lbfgs(5, lower, upper, 0.1).minimise(start, rosenbrock, 200, null);
    assertThat(result.value(), lessThan(1e-8));
    for (double xi : result.x()) {
      assertThat(xi, closeTo(1, 1e-3));
    }
  }

  @Test
  void respectsBounds() throws Exception {
    // Minimum of (x - 3)^2 + (y + 2)^2 inside [0, 1] x [-1, 1] is at (1, -1).
    Lbfgs.Objective f =
        x ->
            new Lbfgs.Evaluation(
                (x[0] - 3) * (x[0] - 3) + (x[1] + 2) * (x[1] + 2),
                new double[] {2 * (x[0] - 3), 2 * (x[1] + 2)});
    Lbfgs.LbfgsResult result =
        new Lbfgs(3, new double[] {0, -1}, new double[] {1, 1}, 0.5)
            .minimise(new double[] {0.5, 0.5}, f, 30, null);
    assertThat(result.x()[0], closeTo(1, 1e-9));
    assertThat(result.x()[1], closeTo(-1, 1e-9));
  }
}
