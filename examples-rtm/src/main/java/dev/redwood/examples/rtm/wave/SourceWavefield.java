package dev.redwood.examples.rtm.wave;

/**
 * The forward (source) wavefield of one shot, played back in reverse time order for imaging,
 * without keeping every time step in memory: checkpointing.
 *
 * <p>While the forward run goes, every {@code interval}-th state (u[n], u[n-1]) is copied aside,
 * and the last segment is kept whole. Going backwards, each earlier segment is recomputed from its
 * checkpoint into a buffer of {@code interval} fields. With interval sqrt(2 nt) this holds about 2
 * sqrt(2 nt) fields instead of nt, for one extra forward run, and the replayed wavefield is
 * bit-identical to the original (the same kernel on the same inputs), which keeps migration the
 * exact adjoint of Born modelling.
 */
public final class SourceWavefield implements Propagator.ForwardListener {
  private final Propagator propagator;
  private final GridPoints source;
  private final float[] wavelet;
  private final int samples;
  private final int interval;
  private final float[][] checkpointCurrent;
  private final float[][] checkpointPrevious;
  private final float[][] segment;
  private int segmentIndex = -1;
  private int lastRequested = Integer.MAX_VALUE;
  private int recomputedSteps;

  /** A store for the forward run of {@code propagator} from {@code source} with {@code wavelet}. */
  public SourceWavefield(Propagator propagator, GridPoints source, float[] wavelet) {
    this(propagator, source, wavelet, defaultInterval(propagator.medium().time().samples()));
  }

  public SourceWavefield(Propagator propagator, GridPoints source, float[] wavelet, int interval) {
    this.propagator = propagator;
    this.source = source;
    this.wavelet = wavelet;
    this.samples = propagator.medium().time().samples();
    this.interval = Math.max(1, Math.min(interval, samples));
    int segments = (samples + this.interval - 1) / this.interval;
    this.checkpointCurrent = new float[segments][];
    this.checkpointPrevious = new float[segments][];
    this.segment = new float[this.interval][];
  }

  /** sqrt(2 nt): minimises checkpoints (2 per segment) plus the segment buffer. */
  public static int defaultInterval(int samples) {
    return Math.max(1, (int) Math.ceil(Math.sqrt(2.0 * samples)));
  }

  /**
   * Wavefields held at most: a checkpoint pair per segment but the last, which is kept whole in the
   * segment buffer.
   */
  public int fieldsHeld() {
    return 2 * (checkpointCurrent.length - 1) + interval;
  }

  /** Wavefields held at most for a run of {@code samples} at the default interval. */
  public static int fieldsHeld(int samples) {
    int interval = defaultInterval(samples);
    return 2 * ((samples + interval - 1) / interval - 1) + interval;
  }

  /** Forward steps taken again while playing back (about nt). */
  public int recomputedSteps() {
    return recomputedSteps;
  }

  @Override
  public void at(int n, float[] current, float[] previous) {
    int k = n / interval;
    int last = (samples - 1) / interval;
    if (n % interval == 0 && k < last) {
      checkpointCurrent[k] = current.clone();
      checkpointPrevious[k] = previous.clone();
    }
    if (k == last) {
      segment[n - k * interval] = current.clone();
      segmentIndex = last;
    }
  }

  /**
   * u[n]; calls must go in decreasing n (each segment is recomputed once). The array is reused for
   * a later call.
   */
  public float[] at(int n) {
    if (n > lastRequested) {
      throw new IllegalStateException("source wavefield is played back in decreasing time order");
    }
    lastRequested = n;
    int k = n / interval;
    if (k != segmentIndex) {
      recompute(k);
    }
    return segment[n - k * interval];
  }

  private void recompute(int k) {
    float[] start = checkpointCurrent[k];
    if (start == null) {
      throw new IllegalStateException("no checkpoint for segment " + k + ": forward run missing");
    }
    int first = k * interval;
    int length = Math.min(interval, samples - first);
    segment[0] = copyInto(segment[0], start);
    float[] before = checkpointPrevious[k];
    for (int s = 1; s < length; s++) {
      float[] next = segment[s] == null ? new float[start.length] : segment[s];
      propagator.stepForward(first + s - 1, segment[s - 1], before, next, source, wavelet);
      segment[s] = next;
      before = segment[s - 1];
      recomputedSteps++;
    }
    // Later segments are no longer needed: free their checkpoints.
    if (k + 1 < checkpointCurrent.length) {
      checkpointCurrent[k + 1] = null;
      checkpointPrevious[k + 1] = null;
    }
    segmentIndex = k;
  }

  private static float[] copyInto(float[] target, float[] source) {
    if (target == null) {
      return source.clone();
    }
    System.arraycopy(source, 0, target, 0, source.length);
    return target;
  }
}
