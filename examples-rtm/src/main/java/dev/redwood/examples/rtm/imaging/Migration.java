package dev.redwood.examples.rtm.imaging;

import dev.redwood.examples.rtm.wave.GridPoints;
import dev.redwood.examples.rtm.wave.Propagator;
import dev.redwood.examples.rtm.wave.SourceWavefield;

/**
 * Reverse-time migration of one shot in two passes: {@link #forward} runs the source wavefield
 * (checkpointed) and returns the data it predicts at the receivers; {@link #backward} propagates
 * receiver data backwards in time and cross-correlates it with the replayed source wavefield. The
 * result is the adjoint of Born modelling, F^T d: the RTM image for reflection data, the gradient
 * of the least-squares misfit for a data residual.
 */
public final class Migration {
  private final Propagator propagator;
  private final GridPoints source;
  private final float[] wavelet;
  private final GridPoints receivers;
  private SourceWavefield sourceWavefield;

  public Migration(
      Propagator propagator, GridPoints source, float[] wavelet, GridPoints receivers) {
    this.propagator = propagator;
    this.source = source;
    this.wavelet = wavelet;
    this.receivers = receivers;
  }

  /** Runs the source wavefield; returns the predicted record ({@code [r * nt + n]}). */
  public float[] forward() {
    sourceWavefield = new SourceWavefield(propagator, source, wavelet);
    return propagator.forward(source, wavelet, receivers, sourceWavefield);
  }

  /** F^T data over the padded grid, with the source illumination. Call once, after forward. */
  public ImagingCondition backward(float[] data) {
    if (sourceWavefield == null) {
      throw new IllegalStateException("run forward() before backward()");
    }
    ImagingCondition imaging =
        new ImagingCondition(
            sourceWavefield, propagator.medium().grid(), propagator.medium().time().dt());
    propagator.adjoint(receivers, data, imaging);
    sourceWavefield = null;
    return imaging;
  }
}
