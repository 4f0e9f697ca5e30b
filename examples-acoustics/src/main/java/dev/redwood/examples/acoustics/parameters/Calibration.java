package dev.redwood.examples.acoustics.parameters;

import dev.redwood.examples.acoustics.fdtd.AnalyticResponse;
import dev.redwood.examples.acoustics.fdtd.GridSettings;
import dev.redwood.examples.acoustics.fdtd.SourcePulse;
import java.io.Serializable;

/**
 * What zero delay and 0 dB mean for a bake, measured on the exact free-field response of its source
 * pulse ({@link AnalyticResponse}), so that they do not depend on the grid.
 *
 * @param onsetLag seconds from the arrival of a wavefront to the moment the {@link OnsetDetector}
 *     fires on it, for the far-field shape of the pulse (the shape no longer changes with distance
 *     there)
 * @param referenceEnergy the direct-sound energy (Pa^2 s, in the pulse's units) 1 m from the source
 *     in free field: 0 dB of the loudness parameters
 * @param arrivalWindow seconds after the onset over which the direct sound's intensity is summed
 *     for its direction: the main lobe of the pulse, before early reflections mix in
 */
public record Calibration(double onsetLag, double referenceEnergy, double arrivalWindow)
    implements Serializable {
  /** Distance at which the pulse has its far-field shape, in metres. */
  static final double FAR = 50;

  public static Calibration of(GridSettings grid, SourcePulse pulse) {
    AnalyticResponse exact = new AnalyticResponse(pulse);
    double c = GridSettings.SPEED_OF_SOUND;
    double fine = grid.timeStep() / 4;
    // Far field: the detector's lag behind the wavefront.
    int span = (int) Math.ceil((2 * pulse.end() + 0.005) / fine);
    double farStart = FAR / c;
    double[] far = new double[span];
    for (int i = 0; i < span; i++) {
      far[i] = exact.pressure(FAR, farStart + i * fine);
    }
    double lag = OnsetDetector.crossing(far) * fine;
    // 1 m: the energy of the direct-sound window after the detector fires.
    int near = (int) Math.ceil((1 / c + 2 * pulse.end() + ParameterExtractor.DIRECT_WINDOW) / fine);
    double[] oneMetre = exact.waveform(1.0, fine, near);
    double onset = OnsetDetector.crossing(oneMetre) * fine;
    double energy =
        ParameterExtractor.windowEnergy(oneMetre, fine, onset, ParameterExtractor.DIRECT_WINDOW);
    return new Calibration(lag, energy, 4 * pulse.sigma());
  }
}
