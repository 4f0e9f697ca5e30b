package dev.redwood.examples.acoustics.parameters;

import java.io.Serializable;

/**
 * The perceptual parameters of the sound between a probe and one cell, as Project Triton stores
 * them. Loudness is in dB relative to the direct sound 1 m from the source in free field (so free
 * field itself loses 3 dB per doubling of distance in 2D). A decay time is NaN where the response
 * did not decay far enough to measure it. The arrival direction is a unit vector in plan
 * coordinates (x right, y down) pointing from the cell towards where the direct sound comes from;
 * (0, 0) where no direction stands out.
 *
 * @param onsetDelay seconds from emission until the direct sound arrives
 * @param directLoudness dB, energy of the first 10 ms after the onset
 * @param reflectionsLoudness dB, energy of the following 80 ms
 * @param earlyDecayTime seconds, EDT: the 0 to -10 dB part of the decay, extrapolated to -60 dB
 * @param reverberationTime seconds, T30: the -5 to -35 dB part, extrapolated to -60 dB (T20, -5 to
 *     -25 dB, where the simulated response ends before -35 dB)
 */
public record CellParameters(
    double onsetDelay,
    double directLoudness,
    double reflectionsLoudness,
    double earlyDecayTime,
    double reverberationTime,
    double arrivalX,
    double arrivalY)
    implements Serializable {

  /** Arrival direction as an angle in radians, atan2(y, x), in plan coordinates. */
  public double arrivalAngle() {
    return Math.atan2(arrivalY, arrivalX);
  }

  /** T30 where measured, else EDT: the decay time pictures and statistics use. */
  public double decayTime() {
    return Double.isNaN(reverberationTime) ? earlyDecayTime : reverberationTime;
  }

  @Override
  public String toString() {
    return String.format(
        "onset %.2f ms, direct %.1f dB, reflections %.1f dB, EDT %.3f s, T30 %.3f s, arrival (%.2f, %.2f)",
        onsetDelay * 1e3,
        directLoudness,
        reflectionsLoudness,
        earlyDecayTime,
        reverberationTime,
        arrivalX,
        arrivalY);
  }
}
