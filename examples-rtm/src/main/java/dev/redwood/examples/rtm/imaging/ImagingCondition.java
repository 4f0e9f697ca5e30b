package dev.redwood.examples.rtm.imaging;

import dev.redwood.examples.rtm.wave.PaddedGrid;
import dev.redwood.examples.rtm.wave.Propagator;
import dev.redwood.examples.rtm.wave.SourceWavefield;

/**
 * The zero-lag cross-correlation imaging condition, in the form that makes migration the exact
 * adjoint of Born modelling:
 *
 * <pre>  image = - sum_j u[j] (mu[j] - 2 mu[j+1] + mu[j+2]) / dt^2</pre>
 *
 * u the source wavefield, mu the adjoint (receiver) wavefield. Born modelling injects -dm u_tt;
 * moving the second time difference from u onto mu (summation by parts; both fields vanish at the
 * ends of the time axis) lets the correlation use u at one time level only, which the checkpointed
 * source wavefield gives one level at a time. Also sums the source illumination sum_j u[j]^2 for
 * normalisation.
 */
public final class ImagingCondition implements Propagator.AdjointListener {
  private final SourceWavefield source;
  private final float[] image;
  private final float[] illumination;
  private final float scale;

  public ImagingCondition(SourceWavefield source, PaddedGrid grid, double dt) {
    this.source = source;
    this.image = new float[grid.size()];
    this.illumination = new float[grid.size()];
    this.scale = (float) (1 / (dt * dt));
  }

  @Override
  public void at(int j, float[] current, float[] later, float[] latest) {
    float[] u = source.at(j);
    float[] image = this.image;
    float[] illumination = this.illumination;
    float s = scale;
    for (int i = 0; i < u.length; i++) {
      float ui = u[i];
      image[i] -= ui * ((current[i] - 2 * later[i] + latest[i]) * s);
      illumination[i] += ui * ui;
    }
  }

  /** The image over the padded grid (not a copy). */
  public float[] image() {
    return image;
  }

  /** The source illumination sum_j u[j]^2 over the padded grid (not a copy). */
  public float[] illumination() {
    return illumination;
  }
}
