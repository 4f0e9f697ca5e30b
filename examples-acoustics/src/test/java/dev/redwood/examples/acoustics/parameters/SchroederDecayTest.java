package dev.redwood.examples.acoustics.parameters;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.is;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Decay times of synthetic responses: noise under an exponential envelope of known T60. */
class SchroederDecayTest {
  static final double DT = 2e-4;

  static double[] response(double t60, double seconds, long seed) {
    Random random = new Random(seed);
    double[] p = new double[(int) (seconds / DT)];
    double k = 3 * Math.log(10) / t60; // amplitude decay rate: 60 dB of energy in t60
    for (int n = 0; n < p.length; n++) {
      p[n] = random.nextGaussian() * Math.exp(-k * n * DT);
    }
    return p;
  }

  @Test
  void edtAndT30OfAnExponentialDecay() {
    SchroederDecay decay = new SchroederDecay(response(0.8, 1.2, 1), DT, 0);
    assertThat(decay.earlyDecayTime(), closeTo(0.8, 0.04));
    assertThat(decay.t30(), closeTo(0.8, 0.03));
    assertThat(decay.t20(), closeTo(0.8, 0.03));
  }

  @Test
  void aTruncatedResponseGetsItsTailBack() {
    // Cut where the energy envelope is only 30 dB down: without the missing tail the curve
    // plunges early and T20 comes out far too short.
    double[] full = response(0.8, 0.4, 2);
    SchroederDecay decay = new SchroederDecay(full, DT, 0);
    assertThat(decay.t20(), closeTo(0.8, 0.06));
    assertThat(SchroederDecay.missingTail(full, DT, 0) > 0, is(true));
  }

  @Test
  void tooShortForT30IsNaN() {
    SchroederDecay decay = new SchroederDecay(response(2.0, 0.3, 3), DT, 0);
    assertThat(Double.isNaN(decay.t30()), is(true));
    assertThat(Double.isNaN(new SchroederDecay(new double[100], DT, 0).earlyDecayTime()), is(true));
    double[] silence = new double[10];
    Arrays.fill(silence, 0);
    assertThat(Double.isNaN(new SchroederDecay(silence, DT, 0).t30()), is(true));
  }
}
