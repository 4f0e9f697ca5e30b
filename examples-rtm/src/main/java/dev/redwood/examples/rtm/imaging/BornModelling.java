package dev.redwood.examples.rtm.imaging;

import dev.redwood.examples.rtm.wave.GridPoints;
import dev.redwood.examples.rtm.wave.Medium;
import dev.redwood.examples.rtm.wave.Propagator;
import dev.redwood.examples.rtm.wave.WaveCoefficients;

/**
 * Born (linearised) modelling: the data change F dm caused, to first order, by a change dm of the
 * squared slowness. Differentiating the discrete wave equation D1 u[n+1] - (2 m/dt^2 + L) u[n] + D2
 * u[n-1] = q[n] with respect to m gives the same equation for the scattered field du with the
 * source -dm (u[n+1] - 2 u[n] + u[n-1]) / dt^2 = -dm u_tt. {@link Migration} computes the transpose
 * of this operator; the pair passes the dot-product test.
 */
public final class BornModelling {

  private BornModelling() {}

  /**
   * The scattered record ({@code [r * nt + n]}) for a squared-slowness perturbation over the padded
   * grid (zero in the sponge when perturbing the physical model only).
   */
  public static float[] scattered(
      Propagator propagator,
      GridPoints source,
      float[] wavelet,
      GridPoints receivers,
      float[] perturbation) {
    Medium medium = propagator.medium();
    WaveCoefficients k = medium.coefficients();
    int size = medium.grid().size();
    int nt = medium.time().samples();
    float scale = (float) (1 / (medium.time().dt() * medium.time().dt()));
    float[] injection = new float[size];
    for (int i = 0; i < size; i++) {
      injection[i] = -perturbation[i] * k.injectionScale(i);
    }
    float[] u = new float[size];
    float[] uPrevious = new float[size];
    float[] uNext = new float[size];
    float[] du = new float[size];
    float[] duPrevious = new float[size];
    float[] data = new float[receivers.count() * nt];
    for (int n = 0; n < nt - 1; n++) {
      propagator.stepForward(n, u, uPrevious, uNext, source, wavelet);
      propagator.kernel().step(du, duPrevious, duPrevious, k);
      for (int i = 0; i < size; i++) {
        float utt = (uNext[i] - 2 * u[i] + uPrevious[i]) * scale;
        duPrevious[i] += injection[i] * utt;
      }
      float[] t = du;
      du = duPrevious;
      duPrevious = t;
      t = uPrevious;
      uPrevious = u;
      u = uNext;
      uNext = t;
      Propagator.record(du, receivers, data, n + 1, nt);
    }
    return data;
  }
}
