package dev.redwood.examples.acoustics.fdtd;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.lessThan;

import dev.redwood.examples.acoustics.BakeSettings;
import dev.redwood.examples.acoustics.TestScenes;
import dev.redwood.examples.acoustics.parameters.CellParameters;
import dev.redwood.examples.acoustics.parameters.ParameterExtractor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Free field: a probe in the middle of an open plan, receivers at doubling distances along an axis
 * and along a diagonal (the grid's two extreme directions for dispersion).
 */
class FreeFieldTest {
  static final double C = GridSettings.SPEED_OF_SOUND;
  static final double[] DISTANCES = {1, 2, 4, 8};
  static final double CX = 12.25;
  static final double CY = 12.25;

  static BakeSettings settings;
  static CellParameters[] axis;
  static CellParameters[] diagonal;
  static Recording recording;

  @BeforeAll
  static void simulate() {
    settings = BakeSettings.of(TestScenes.openField(24.5, 24.5), 500, 0.05, 0.5);
    SceneRaster raster = new SceneRaster(settings.plan(), settings.grid().spacing());
    SimulationDomain domain = SimulationDomain.around(raster, settings.grid(), CX, CY);
    double[] xs = new double[2 * DISTANCES.length];
    double[] ys = new double[2 * DISTANCES.length];
    for (int k = 0; k < DISTANCES.length; k++) {
      xs[k] = CX + DISTANCES[k];
      ys[k] = CY;
      xs[DISTANCES.length + k] = CX - DISTANCES[k] / Math.sqrt(2);
      ys[DISTANCES.length + k] = CY + DISTANCES[k] / Math.sqrt(2);
    }
    ReceiverPoints points = ReceiverPoints.at(domain, xs, ys);
    recording = WaveSolver.run(domain, settings.grid(), settings.pulse(), points, settings.steps());
    axis = new CellParameters[DISTANCES.length];
    diagonal = new CellParameters[DISTANCES.length];
    for (int k = 0; k < points.count(); k++) {
      CellParameters p =
          ParameterExtractor.extract(
              recording.pressure(k),
              recording.integratedGradientX(k),
              recording.integratedGradientY(k),
              recording.timeStep(),
              settings.calibration());
      int id = points.id(k);
      if (id < DISTANCES.length) {
        axis[id] = p;
      } else {
        diagonal[id - DISTANCES.length] = p;
      }
    }
  }

  /** Exact distance from the source cell's centre to the receiver cell's centre. */
  static double distance(double x, double y) {
    double h = settings.grid().spacing();
    double sx = (Math.floor(CX / h) + 0.5) * h;
    double sy = (Math.floor(CY / h) + 0.5) * h;
    double rx = (Math.floor(x / h) + 0.5) * h;
    double ry = (Math.floor(y / h) + 0.5) * h;
    return Math.hypot(rx - sx, ry - sy);
  }

  @Test
  void onsetDelayIsDistanceOverSpeedOfSound() {
    for (int k = 1; k < DISTANCES.length; k++) {
      double r = distance(CX + DISTANCES[k], CY);
      double rd = distance(CX - DISTANCES[k] / Math.sqrt(2), CY + DISTANCES[k] / Math.sqrt(2));
      // Within 0.1 ms (half a time step) plus 2% of the travel time: the grid's dispersion
      // reshapes the pulse on its way, along the axes most, which moves the detector's crossing.
      assertThat("onset at " + r + " m", axis[k].onsetDelay(), closeTo(r / C, 1e-4 + 0.02 * r / C));
      assertThat(
          "onset at " + rd + " m, diagonal",
          diagonal[k].onsetDelay(),
          closeTo(rd / C, 1e-4 + 0.02 * rd / C));
    }
  }

  @Test
  void directLoudnessFallsThreeDecibelsPerDoublingOfDistance() {
    // 0 dB is the exact free-field level at 1 m (from the analytic 2D response).
    assertThat(axis[0].directLoudness(), closeTo(0, 0.5));
    assertThat(diagonal[0].directLoudness(), closeTo(0, 0.5));
    for (int k = 1; k < DISTANCES.length; k++) {
      double drop = axis[k - 1].directLoudness() - axis[k].directLoudness();
      double dropDiagonal = diagonal[k - 1].directLoudness() - diagonal[k].directLoudness();
      assertThat(
          "drop from " + DISTANCES[k - 1] + " to " + DISTANCES[k] + " m", drop, closeTo(3.0, 0.3));
      assertThat("diagonal drop to " + DISTANCES[k] + " m", dropDiagonal, closeTo(3.0, 0.3));
    }
  }

  @Test
  void directSoundArrivesFromTheSource() {
    for (int k = 0; k < DISTANCES.length; k++) {
      // Along +x the source lies at -x; along the diagonal (-1, +1) it lies at (+1, -1).
      double axisError = Math.toDegrees(Math.abs(axis[k].arrivalAngle() - Math.PI));
      axisError = Math.min(axisError, 360 - axisError);
      double diagonalError = Math.toDegrees(Math.abs(diagonal[k].arrivalAngle() - (-Math.PI / 4)));
      assertThat("arrival error (degrees) at " + DISTANCES[k] + " m", axisError, lessThan(5.0));
      assertThat(
          "diagonal arrival error (degrees) at " + DISTANCES[k] + " m",
          diagonalError,
          lessThan(5.0));
    }
  }
}
