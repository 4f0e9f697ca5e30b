package dev.redwood.examples.rtm.survey;

import dev.redwood.examples.rtm.wave.TimeAxis;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One shot gather: a trace per receiver, all on the same time axis, stored trace after trace
 * ({@code samples[r * nt + n]}, the order of a SEG-Y file), with the geometry of the shot.
 */
public final class ShotRecord implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ShotGeometry geometry;
  private final TimeAxis time;
  private final float[] samples;

  public ShotRecord(ShotGeometry geometry, TimeAxis time, float[] samples) {
    if (samples.length != geometry.receivers() * time.samples()) {
      throw new IllegalArgumentException(
          "record of "
              + geometry.receivers()
              + " traces x "
              + time.samples()
              + " samples cannot"
              + " hold "
              + samples.length
              + " values");
    }
    this.geometry = geometry;
    this.time = time;
    this.samples = samples;
  }

  public ShotGeometry geometry() {
    return geometry;
  }

  public TimeAxis time() {
    return time;
  }

  /** All samples, trace after trace (not a copy). */
  public float[] samples() {
    return samples;
  }

  public float sample(int receiver, int n) {
    return samples[receiver * time.samples() + n];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShotRecord r
        && r.geometry.equals(geometry)
        && r.time.equals(time)
        && Arrays.equals(r.samples, samples);
  }

  @Override
  public int hashCode() {
    return geometry.hashCode() * 31 + Arrays.hashCode(samples);
  }

  @Override
  public String toString() {
    return geometry + ", " + time;
  }
}
